/** The shape every language must fill: the English keys (plural languages may add _few/_many). */
export type Messages<T> = { [K in keyof T]: T[K] extends string ? string : Messages<T[K]> } & {
  [pluralForm: string]: unknown;
};
