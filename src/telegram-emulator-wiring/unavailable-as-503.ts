import {
  EmulatorServerUnavailableError,
  type EmulatorControlPort,
} from '@integration-service/telegram-emulator';
import { DependencyUnavailableError } from '../common/errors/app-error';

/** The emulator server process is away or broke: 503, as for any dependency. */
function rethrown(error: unknown): never {
  throw error instanceof EmulatorServerUnavailableError
    ? new DependencyUnavailableError('telegram', error.message)
    : error;
}

const answering503 =
  <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
  (...args: A): Promise<R> =>
    operation(...args).catch(rethrown);

/** An emulator server's control port whose unreachability answers as the service's 503 (DependencyUnavailableError). */
export function unavailableAs503(port: EmulatorControlPort): EmulatorControlPort {
  return {
    revokeSessions: answering503(port.revokeSessions.bind(port)),
    scanQrToken: answering503(port.scanQrToken.bind(port)),
    revokeBotToken: answering503(port.revokeBotToken.bind(port)),
    createChat: answering503(port.createChat.bind(port)),
    leaveChat: answering503(port.leaveChat.bind(port)),
    addBotToChat: answering503(port.addBotToChat.bind(port)),
    forgetKeys: answering503(port.forgetKeys.bind(port)),
    migrateUser: answering503(port.migrateUser.bind(port)),
    floodNext: answering503(port.floodNext.bind(port)),
    chatMessages: answering503(port.chatMessages.bind(port)),
    fault: answering503(port.fault.bind(port)),
  };
}
