import { IsInt, IsString, validateSync } from 'class-validator';
import { cacheValidationMetadata } from './metadata-cache';

describe('cacheValidationMetadata', () => {
  beforeAll(() => cacheValidationMetadata());

  it('gives the same errors as before, for a class and its subclass', () => {
    class Base {
      @IsString() name: unknown = 1;
    }
    class Child extends Base {
      @IsInt() count: unknown = 'x';
    }
    for (let i = 0; i < 2; i++) {
      expect(validateSync(new Base()).map((e) => e.property)).toEqual(['name']);
      expect(
        validateSync(new Child())
          .map((e) => e.property)
          .sort(),
      ).toEqual(['count', 'name']);
    }
  });

  it('sees a rule added after the class was first validated', () => {
    class Late {
      value: unknown = 5;
    }
    expect(validateSync(new Late(), { forbidUnknownValues: false })).toEqual([]);
    IsString()(Late.prototype, 'value');
    expect(validateSync(new Late()).map((e) => e.property)).toEqual(['value']);
  });
});
