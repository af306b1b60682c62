/** What a rule reports: the rubric adds the category and the severity from the rule catalog. */
export interface Hit {
  rule: string;
  message: string;
}
