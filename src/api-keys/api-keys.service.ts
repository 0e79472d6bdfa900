import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BadRequestError, ConflictError, NotFoundError } from '../common/errors/app-error';
import { ChangeCommit } from '../changes/change-commit';
import type { AuditEntry } from '../logs/audit-log.service';
import type { ApiKeyEntity } from './api-key.entity';
import { ApiKeyLookup } from './api-key-lookup';
import { newApiKeySecret } from './api-key-secret';
import { ApiKeyResponseDto, type CreateApiKeyDto, type CreatedApiKeyDto } from './api-keys.dto';
import { ApiKeysRepository } from './api-keys.repository';

/** At most this many live keys per user: a leaked script that makes keys in a loop stops here. */
export const MAX_API_KEYS_PER_USER = 100;

/** Making, listing and revoking a user's API keys; each change commits with its audit row. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly lookup: ApiKeyLookup,
    private readonly changes: ChangeCommit,
  ) {}

  async create(userId: number, dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const expiresAt = dto.expires_at === undefined ? null : new Date(dto.expires_at);
    if (expiresAt && expiresAt.getTime() <= Date.now())
      throw new BadRequestError('expires_at_past', 'expires_at must be in the future');
    const secret = newApiKeySecret();
    const { result } = await this.changes.apply({ action: 'api_key_create' }, async (tx) => {
      await this.checkLimits(tx, userId, dto);
      const row = await this.keys.insert(tx, {
        userId,
        name: dto.name,
        scopes: dto.scopes,
        keyHash: secret.hash,
        keyPrefix: secret.prefix,
        accountIds: dto.account_ids ?? null,
        botIds: dto.bot_ids ?? null,
        expiresAt,
      });
      return { result: row, audit: [auditEntry(userId, 'api_key_create', row)] };
    });
    return { ...ApiKeyResponseDto.of(result), key: secret.key };
  }

  async list(userId: number): Promise<ApiKeyResponseDto[]> {
    return (await this.keys.listForUser(userId)).map((row) => ApiKeyResponseDto.of(row));
  }

  async revoke(userId: number, id: string): Promise<ApiKeyResponseDto> {
    const { result } = await this.changes.apply({ action: 'api_key_revoke', api_key_id: id }, async (tx) => {
      const live = await this.keys.findLiveForUser(tx, userId, id);
      if (!live) throw new NotFoundError('No such API key');
      const row = await this.keys.revoke(tx, id);
      return { result: row, audit: [auditEntry(userId, 'api_key_revoke', row)] };
    });
    this.lookup.forget(result.keyHash);
    return ApiKeyResponseDto.of(result);
  }

  private async checkLimits(tx: EntityManager, userId: number, dto: CreateApiKeyDto): Promise<void> {
    const [{ count }] = await tx.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
    if (count >= MAX_API_KEYS_PER_USER)
      throw new ConflictError('api_key_limit_reached', `At most ${MAX_API_KEYS_PER_USER} API keys per user`);
    await this.checkOwned(tx, 'telegram_sessions', userId, dto.account_ids, 'account_ids');
    await this.checkOwned(tx, 'telegram_bots', userId, dto.bot_ids, 'bot_ids');
  }

  /** Every id a key is limited to must be one of the caller's own rows. */
  private async checkOwned(
    tx: EntityManager,
    table: 'telegram_sessions' | 'telegram_bots',
    userId: number,
    ids: string[] | undefined,
    field: string,
  ): Promise<void> {
    if (!ids?.length) return;
    const rows = await tx.query<{ id: string }[]>(
      `SELECT id FROM ${table} WHERE user_id = $1 AND id = ANY($2::uuid[])`,
      [userId, ids],
    );
    if (rows.length !== ids.length)
      throw new BadRequestError(
        `${field.replace(/_ids$/, '')}_unknown`,
        `${field} names a row that is not yours`,
      );
  }
}

/** The audit row: the key's id, name and scopes — never the key or its hash. */
function auditEntry(userId: number, action: string, row: ApiKeyEntity): AuditEntry {
  return {
    userId,
    action,
    status: 'success',
    integrationType: 'api_keys',
    details: {
      api_key_id: row.id,
      name: row.name,
      scopes: row.scopes,
      limited: row.accountIds !== null || row.botIds !== null,
      expires_at: row.expiresAt?.toISOString() ?? null,
    },
  };
}
