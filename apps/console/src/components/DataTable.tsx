import type { Key, ReactNode } from 'react';

/** One column: its heading and what each row shows in it. */
export interface Column<Row> {
  header: ReactNode;
  cell: (row: Row, index: number) => ReactNode;
  /** The cell names its row (`<th scope="row">`) instead of being a plain `<td>`. */
  rowHeader?: boolean;
  /** The cells' class (the heading keeps none). */
  className?: string;
}

/**
 * A table of rows with a heading for each column (`<th scope="col">`), named for assistive
 * technology by `label` or by the heading `labelledBy` points to. Nothing shows while `rows` is
 * undefined (not read yet); `empty`, if given, shows instead of a table without rows.
 */
export function DataTable<Row>(props: {
  columns: readonly Column<Row>[];
  rows: readonly Row[] | undefined;
  rowKey: (row: Row, index: number) => Key;
  empty?: ReactNode;
  label?: string;
  labelledBy?: string;
  className?: string;
}) {
  if (!props.rows) return null;
  if (props.rows.length === 0) return props.empty ?? null;
  return (
    <table aria-label={props.label} aria-labelledby={props.labelledBy} className={props.className}>
      <thead>
        <tr>
          {props.columns.map((column, i) => (
            <th key={i} scope="col">
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row, index) => (
          <tr key={props.rowKey(row, index)}>
            {props.columns.map((column, i) =>
              column.rowHeader ? (
                <th key={i} scope="row" className={column.className}>
                  {column.cell(row, index)}
                </th>
              ) : (
                <td key={i} className={column.className}>
                  {column.cell(row, index)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
