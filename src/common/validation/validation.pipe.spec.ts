import { IsInt, IsString, Min } from 'class-validator';
import { ValidationFailedError } from '../errors/app-error';
import { createValidationPipe } from './validation.pipe';

class NoteDto {
  @IsString()
  text!: string;

  @IsInt()
  @Min(1)
  priority!: number;
}

describe('the global validation pipe', () => {
  const pipe = createValidationPipe();

  it('hands a custom parameter (the @CurrentUser user) back as it is', async () => {
    const user = { id: 7 };
    const result: unknown = await pipe.transform(user, { type: 'custom', metatype: Object, data: undefined });
    expect(result).toBe(user);
  });

  it('turns a valid body into an instance of its DTO', async () => {
    const body = await pipe.transform({ text: 'hi', priority: 2 }, { type: 'body', metatype: NoteDto });
    expect(body).toBeInstanceOf(NoteDto);
    expect(body).toEqual({ text: 'hi', priority: 2 });
  });

  it('refuses an invalid body and an unknown property field by field', async () => {
    const refused = pipe.transform(
      { text: 3, priority: 0, admin: true },
      { type: 'body', metatype: NoteDto },
    );
    await expect(refused).rejects.toBeInstanceOf(ValidationFailedError);
    const error = (await refused.catch((e: unknown) => e)) as ValidationFailedError;
    expect(error.problems.map((p) => p.field).sort()).toEqual(['admin', 'priority', 'text']);
    expect(error.problems.find((p) => p.field === 'admin')?.message).toBe('admin is not allowed');
  });
});
