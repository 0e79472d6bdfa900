import type { ReactNode } from 'react';
import { ErrorNotice } from './ErrorNotice';

/**
 * A card listing rows in a table: its title, a "show inactive" switch where the list has one, the load or action error in
 * words, an empty text, and the table (stacked on narrow screens) with one header per column.
 */
export function ListCard<T>({
  id,
  title,
  showInactive,
  error,
  empty,
  columns,
  items,
  row,
}: {
  id: string;
  title: string;
  /** The switch, for lists that hide inactive rows by default. */
  showInactive?: { checked: boolean; onChange: (checked: boolean) => void; label: string };
  error: unknown;
  empty: string;
  columns: string[];
  items: T[] | undefined;
  row: (item: T) => ReactNode;
}) {
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        {showInactive && (
          <label className="inline">
            <input
              type="checkbox"
              checked={showInactive.checked}
              onChange={(event) => showInactive.onChange(event.target.checked)}
            />
            {showInactive.label}
          </label>
        )}
      </div>
      <ErrorNotice error={error} />
      {items && items.length === 0 && <p>{empty}</p>}
      {items && items.length > 0 && (
        <div className="table-wrap" tabIndex={0}>
          <table className="stack">
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr>
                {columns.map((column) => (
                  <th scope="col" key={column}>
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{items.map(row)}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}
