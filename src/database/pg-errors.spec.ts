import { QueryFailedError } from 'typeorm';
import { isUniqueViolation } from './pg-errors';

describe('isUniqueViolation', () => {
  it('knows SQLSTATE 23505 from pg and wrapped by TypeORM, and nothing else', () => {
    const pgError = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
    });
    expect(isUniqueViolation(pgError)).toBe(true);
    expect(isUniqueViolation(new QueryFailedError('INSERT …', [], pgError))).toBe(true);
    expect(isUniqueViolation(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(false);
    expect(isUniqueViolation(new Error('no code'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    expect(isUniqueViolation('23505')).toBe(false);
  });
});
