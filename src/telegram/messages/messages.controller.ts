import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
  ApiExtraModels,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertApiKeyMayName } from '../../common/auth/api-key-authorization';
import { RequiresScope } from '../../common/auth/requires-scope.decorator';
import { AuthUser, CurrentUser } from '../../common/auth/current-user.decorator';
import { BadRequestError } from '../../common/errors/app-error';
import { ApiEndpoint } from '../../common/http/api-endpoint.decorator';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import {
  MessageIdParamDto,
  MessagePageDto,
  MessageResponseDto,
  MessagesQueryDto,
  SendAcceptedDto,
  SendMediaFormDto,
  SendMessageDto,
} from './messages.dto';
import { MessagesService } from './messages.service';
import { readSendInput } from './send-input';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

@ApiEndpoint('telegram-messages')
@ApiExtraModels(SendMessageDto, SendMediaFormDto)
@Controller('api/v1/telegram')
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('send')
  @RequiresScope('messages:send')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Queue a message (text, or a photo/document with a caption) from an account or a bot',
    description:
      'Exactly one sender (`session_id` | `bot_id`) and one target (`channel_id` | `chat`). The message is ' +
      'stored and sent by the durable queue (paced below Telegram’s limits, rescheduled on FLOOD_WAIT / ' +
      'SLOWMODE_WAIT, one random_id across attempts); follow it with GET /telegram/messages/{id}. Markup that ' +
      'does not parse → 400 `markup_invalid`; text over 4,096 characters after markup (caption 1,024) → 400; a ' +
      'sender our channel rows show unable to post there → 422 `sender_cannot_post`. As multipart/form-data: ' +
      'the same fields and one `file` part (at most SEND_MEDIA_MAX_BYTES, else 413). With `Idempotency-Key` ' +
      '(≤ 255 visible ASCII characters, kept at least 24 h per user) a retried POST answers the stored 202 ' +
      '(header `Idempotent-Replayed: true`); the same key with another request → 422 `idempotency_key_reused`.',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    schema: { oneOf: [{ $ref: getSchemaPath(SendMessageDto) }, { $ref: getSchemaPath(SendMediaFormDto) }] },
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Makes a retried POST return the same message',
  })
  @ApiAcceptedResponse({ type: SendAcceptedDto, description: 'Queued' })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description:
      'The sender cannot post there (`sender_cannot_post`), or the Idempotency-Key came with another request (`idempotency_key_reused`)',
  })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'The sender is not connected (`sender_inactive`)',
  })
  async send(
    @CurrentUser() user: AuthUser,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<SendAcceptedDto> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestError(
        'idempotency_key_invalid',
        'Idempotency-Key must be 1 to 255 visible ASCII characters',
      );
    }
    const input = await readSendInput(request, this.config.send.mediaMaxBytes);
    assertApiKeyMayName(user.apiKey, input.dto);
    const accepted = await this.messages.send(user.id, input, idempotencyKey);
    if (accepted.replayed) void reply.header('idempotent-replayed', 'true');
    return accepted.body;
  }

  @Get('messages')
  @RequiresScope('messages:read')
  @ApiOperation({
    summary: "The caller's messages, newest first",
    description: 'Filter by status and channel row.',
  })
  @ApiOkResponse({ type: MessagePageDto, description: 'One page of the caller’s messages' })
  list(@CurrentUser() user: AuthUser, @Query() query: MessagesQueryDto): Promise<MessagePageDto> {
    return this.messages.list(user.id, query);
  }

  @Get('messages/:message_id')
  @RequiresScope('messages:read')
  @ApiOperation({ summary: 'One message: status, attempts, Telegram id, error' })
  @ApiOkResponse({ type: MessageResponseDto, description: 'The message and where it stands' })
  get(@CurrentUser() user: AuthUser, @Param() params: MessageIdParamDto): Promise<MessageResponseDto> {
    return this.messages.get(user.id, params.message_id);
  }

  @Delete('messages/:message_id')
  @RequiresScope('messages:send')
  @ApiOperation({
    summary: 'Cancel a message not yet sent',
    description:
      'Only `queued` or `waiting`; 409 `message_not_cancellable` once sending, sent, failed or cancelled.',
  })
  @ApiOkResponse({ type: MessageResponseDto, description: 'The cancelled message' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'Too late to cancel (`message_not_cancellable`)',
  })
  cancel(@CurrentUser() user: AuthUser, @Param() params: MessageIdParamDto): Promise<MessageResponseDto> {
    return this.messages.cancel(user.id, params.message_id);
  }
}
