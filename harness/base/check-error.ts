/**
 * The one error a failing check throws: a one-line reason that states what was seen and what was
 * expected. It carries no stack: the check's id says where it failed, and the reason says why.
 */
export class CheckError extends Error {
  override name = "CheckError";

  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}
