/** A field of an object that cannot be read as Kubernetes would read it. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}
