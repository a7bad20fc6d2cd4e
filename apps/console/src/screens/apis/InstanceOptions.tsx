import type { ApiInstance } from '../../api/resources';
import { instanceName } from './queries';

/** The options of a select of API instances, by id and name, after `none` (value ''). */
export function InstanceOptions({ instances, none }: { instances: readonly ApiInstance[]; none: string }) {
  return (
    <>
      <option value="">{none}</option>
      {instances.map((a) => (
        <option key={a.id} value={a.id}>
          {instanceName(a)}
        </option>
      ))}
    </>
  );
}
