import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';
import { cacheValidationMetadata } from './metadata-cache';

type Storage = ReturnType<typeof getMetadataStorage>;
type Metadatas = ReturnType<Storage['getTargetValidationMetadatas']>;
type Metadata = Metadatas[number];
type Grouped = ReturnType<Storage['groupByPropertyName']>;

/** What a property's rules are, split as class-validator's ValidationExecutor splits them. */
interface PropertyRules {
  readonly name: string;
  readonly conditions: Metadata[];
  readonly defined: Metadata[];
  readonly custom: Metadata[];
}

/** A class's rules, when every one of them is of a kind `passes` checks exactly as class-validator does. */
interface ClassRules {
  readonly grouped: Grouped;
  readonly properties: PropertyRules[];
}

const CHECKED_TYPES: ReadonlySet<string> = new Set([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.WHITELIST,
]);

/**
 * Answers "would class-validator's `validateSync` (whitelist + forbidNonWhitelisted, no groups) find
 * no error in this instance?" without building its error objects, in the order and with the
 * arguments its ValidationExecutor uses: the same rule lookups, the same conditions (@IsOptional,
 * @ValidateIf), the same constraint instances called with the same ValidationArguments; async
 * constraints are skipped, as validateSync skips them. `false` only means "not surely valid" — so
 * is the answer for a class with a rule of any other kind (nested, promise) and for a constraint
 * that hands back a promise: the caller then runs class-validator itself, whose errors are the
 * answer. This never decides what a refusal says. The class's rules are compiled once per rule set
 * (class-validator's lookups remembered by cacheValidationMetadata, which is installed here).
 */
export class ValidEntityCheck {
  private readonly rules = new WeakMap<Metadatas, ClassRules | null>();

  constructor(private readonly storage: Storage = getMetadataStorage()) {
    cacheValidationMetadata(storage);
  }

  /** True when the instance surely passes; false when it may not (or its class is not checked here). */
  passes(entity: object): boolean {
    const rules = this.rulesOf(entity.constructor);
    if (!rules) return false;
    for (const key of Object.keys(entity)) {
      const rulesOfKey = rules.grouped[key];
      if (!rulesOfKey || rulesOfKey.length === 0) return false;
    }
    const object = entity as Record<string, unknown>;
    for (const property of rules.properties) {
      const value = object[property.name];
      let applies = true;
      for (const condition of property.conditions) {
        const test = condition.constraints[0] as (o: object, v: unknown) => boolean;
        applies = test(entity, value) && applies;
      }
      if (!applies) continue;
      if (!this.allPass(entity, value, property.defined)) return false;
      if (!this.allPass(entity, value, property.custom)) return false;
    }
    return true;
  }

  private allPass(entity: object, value: unknown, metadatas: Metadata[]): boolean {
    for (const metadata of metadatas) {
      if (metadata.validateIf && !metadata.validateIf(entity, value)) continue;
      for (const constraint of this.storage.getTargetValidatorConstraints(metadata.constraintCls)) {
        if (constraint.async) continue;
        const args: ValidationArguments = {
          targetName: entity.constructor ? entity.constructor.name : (undefined as unknown as string),
          property: metadata.propertyName,
          object: entity,
          value,
          constraints: metadata.constraints,
        };
        const validator = constraint.instance;
        const items = metadata.each ? itemsOf(value) : undefined;
        const results = items
          ? items.map((item) => validator.validate(item, args))
          : [validator.validate(value, args)];
        for (const result of results) if (isThenable(result) || !result) return false;
      }
    }
    return true;
  }

  private rulesOf(target: unknown): ClassRules | undefined {
    if (typeof target !== 'function') return undefined;
    const metadatas = this.storage.getTargetValidationMetadatas(
      target,
      undefined as unknown as string,
      false,
      false,
    );
    let rules = this.rules.get(metadatas);
    if (rules === undefined) this.rules.set(metadatas, (rules = this.compile(metadatas)));
    return rules ?? undefined;
  }

  private compile(metadatas: Metadatas): ClassRules | null {
    // No rules at all is class-validator's "unknown value" error.
    if (metadatas.length === 0 || metadatas.some((m) => !CHECKED_TYPES.has(m.type))) return null;
    const grouped = this.storage.groupByPropertyName(metadatas);
    const properties = Object.keys(grouped).map((name) => {
      const of = (type: string) => grouped[name].filter((m) => m.type === type);
      return {
        name,
        conditions: of(ValidationTypes.CONDITIONAL_VALIDATION),
        defined: of(ValidationTypes.IS_DEFINED),
        custom: of(ValidationTypes.CUSTOM_VALIDATION),
      };
    });
    return { grouped, properties };
  }
}

/** The items class-validator validates one by one for an `each` rule (arrays, sets, map values). */
function itemsOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return [...value.values()];
  return undefined;
}

function isThenable(value: unknown): boolean {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
