import { accountInfoHandlers } from './account-info';
import { authCodeHandlers } from './auth-code';
import { botChatHandlers } from './bot-chats';
import { botHandlers } from './bots';
import { dcTransferHandlers } from './dc-transfer';
import { dialogHandlers } from './dialogs';
import { messageHandlers } from './messages';
import { passwordHandlers } from './password';
import { qrLoginHandlers } from './qr-login';
import type { HandlerDef } from './registry';
import { serviceHandlers } from './service';

/** Every TL method the emulator answers; anything else gets METHOD_NOT_SUPPORTED_BY_EMULATOR. */
export const allHandlers: readonly HandlerDef[] = [
  ...serviceHandlers,
  ...authCodeHandlers,
  ...passwordHandlers,
  ...qrLoginHandlers,
  ...dcTransferHandlers,
  ...accountInfoHandlers,
  ...botHandlers,
  ...dialogHandlers,
  ...botChatHandlers,
  ...messageHandlers,
];

export { HandlerRegistry, type HandlerDef, type RequestContext } from './registry';
