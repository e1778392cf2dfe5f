/** A field of an object that cannot be read as Kubernetes would read it. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** Problems listed per object part: a caller of the webhook can send millions of unreadable entries. */
export const PROBLEMS_LISTED = 100;

/**
 * Records a problem, listing at most PROBLEMS_LISTED and then one closing entry: reading goes on (a
 * violation after the unreadable entries is still found), only the listing stops, and says so.
 */
export function addProblem(problems: FieldProblem[], problem: FieldProblem): void {
  if (problems.length < PROBLEMS_LISTED) problems.push(problem);
  else if (problems.length === PROBLEMS_LISTED) problems.push({ field: problem.field, message: `and more fields that cannot be read from here on (only the first ${String(PROBLEMS_LISTED)} are listed)` });
}
