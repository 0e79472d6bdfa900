/** The benchmark's POST body, shared by the service's DTO and the raw baseline's JSON schema. */
export interface EchoBody {
  phone: string;
  code?: string;
  password?: string;
  metadata?: Record<string, unknown>;
}

export interface EchoResponse {
  received: boolean;
  user_id: number;
  phone: string;
  has_code: boolean;
  has_password: boolean;
  metadata_keys: number;
}

/** The same rules as BenchEchoDto, for Fastify's validator (additional properties are refused, not stripped). */
export const ECHO_BODY_SCHEMA = {
  type: 'object',
  required: ['phone'],
  additionalProperties: false,
  properties: {
    phone: { type: 'string', pattern: '^\\+?\\d{10,15}$' },
    code: { type: 'string', pattern: '^\\d{5}$' },
    password: { type: 'string', maxLength: 256 },
    metadata: { type: 'object' },
  },
} as const;

/** What both servers answer to a valid echo request. */
export function echoResponse(userId: number, body: EchoBody): EchoResponse {
  return {
    received: true,
    user_id: userId,
    phone: body.phone,
    has_code: body.code !== undefined,
    has_password: body.password !== undefined,
    metadata_keys: body.metadata ? Object.keys(body.metadata).length : 0,
  };
}
