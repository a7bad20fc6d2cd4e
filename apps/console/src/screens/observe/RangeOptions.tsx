import { RANGES } from './log-filters';

/** The options of a select of the preset time ranges (log-filters RANGES). */
export function RangeOptions() {
  return Object.entries(RANGES).map(([key, [label]]) => (
    <option key={key} value={key}>
      {label}
    </option>
  ));
}
