/** The one error a failing check throws: a one-line reason that states what was seen and what was expected. */
export class CheckError extends Error {
  override name = "CheckError";
}
