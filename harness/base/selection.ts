// CONFORMANCE_CHECKS: a comma-separated list of check ids to run, where `PAG-*` stands for every
// id with that prefix; unset runs every check. Read by the config (which suite files to load) and
// by the check DSL (which checks of a file to declare).

/** The ids and `PREFIX-*` patterns CONFORMANCE_CHECKS names; undefined when it is unset or empty. */
export function selectedChecks(env = process.env): string[] | undefined {
  const list = env.CONFORMANCE_CHECKS?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return list?.length ? list : undefined;
}

/** Whether the selection runs check `id`. */
export const selects = (selection: string[] | undefined, id: string) =>
  !selection || selection.some((o) => (o.endsWith("-*") ? id.startsWith(o.slice(0, -1)) : o === id));

/** The id prefix of a check id or pattern (`PAG` of `PAG-15` and of `PAG-*`). */
export const prefixOf = (idOrPattern: string) => idOrPattern.replace(/-.*/, "");
