import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Lookup = Storage['getTargetValidationMetadatas'];
type Metadatas = ReturnType<Lookup>;
type Grouped = ReturnType<Storage['groupByPropertyName']>;

const installed = new WeakSet<Storage>();

/**
 * class-validator looks up a class's rules on every validation by filtering every rule it knows
 * and testing the class against every other decorated class (inheritance): the most expensive
 * single step of a validated request in `npm run bench`'s CPU profile. Rules only change when a
 * decorator runs (class definition time), so the lookups (and their grouping by property) are
 * remembered per class and options, and forgotten whenever a rule is added. The arrays and groups
 * handed out are the ones class-validator computed; it only reads them.
 */
export function cacheValidationMetadata(storage: Storage = getMetadataStorage()): void {
  if (installed.has(storage)) return;
  installed.add(storage);
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let lookups = new WeakMap<object, Map<string, Metadatas>>();
  let groups = new WeakMap<Metadatas, Grouped>();

  storage.addValidationMetadata = (metadata) => {
    lookups = new WeakMap();
    groups = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, wanted) => {
    if ((wanted && wanted.length > 0) || (typeof target !== 'function' && typeof target !== 'object'))
      return lookup(target, schema, always, strictGroups, wanted);
    const key = `${schema}\u0000${always}\u0000${strictGroups}`;
    let byOptions = lookups.get(target);
    if (!byOptions) lookups.set(target, (byOptions = new Map()));
    let found = byOptions.get(key);
    if (!found) byOptions.set(key, (found = lookup(target, schema, always, strictGroups, wanted)));
    return found;
  };
  storage.groupByPropertyName = (metadatas) => {
    let grouped = groups.get(metadatas);
    if (!grouped) groups.set(metadatas, (grouped = group(metadatas)));
    return grouped;
  };
}
