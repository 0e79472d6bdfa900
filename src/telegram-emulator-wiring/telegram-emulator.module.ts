import { DynamicModule, Module } from '@nestjs/common';
import { TelegramAccountsModule } from '../telegram/accounts/accounts.module';
import { TelegramBotsModule } from '../telegram/bots/bots.module';
import { GatewayCredentials } from '../telegram/gateway/telegram-credentials';
import { TELEGRAM_CLIENT_SOURCE, type TelegramClientSource } from '../telegram/gateway/telegram-gateway';
import {
  createEmulatedClient,
  createEmulatorServerClient,
  LocalEmulatorControl,
  RemoteEmulatorControl,
  TelegramEmulator,
  type EmulatorControlPort,
  type EmulatorNetwork,
  type TelegramEmulatorServer,
} from '@integration-service/telegram-emulator';
import { BotEmulatorControlController, BotEmulatorControlService } from './bot-control.controller';
import { ChatEmulatorControlController, ChatEmulatorControlService } from './chat-control.controller';
import { EmulatorControlController } from './emulator-control.controller';
import {
  MessageEmulatorControlController,
  MessageEmulatorControlService,
} from './message-control.controller';
import { EmulatedChatAccess } from './emulated-chat-access';
import { EmulatorControlService } from './emulator-control.service';
import { EmulatorGatewayCredentials } from './emulator-credentials';
import { TELEGRAM_EMULATOR_CONTROL } from './emulator.tokens';
import { unavailableAs503 } from './unavailable-as-503';
import { EmulatorFaultsController, EmulatorFaultsService } from './emulator-faults.controller';

export interface TelegramEmulatorModuleOptions {
  /**
   * The emulated world to use; a new one when omitted. Passing one lets two app instances (a
   * restart in a test) share the same emulated Telegram.
   */
  world?: TelegramEmulator;
  /**
   * That world served over TCP by an emulator server in this process (tests): clients are the real GramJS
   * TelegramClient dialling it, instead of the in-process fake sender.
   */
  server?: TelegramEmulatorServer;
  /** An emulator server in another process: TELEGRAM_EMULATOR_URL and its control port's base URL. */
  remote?: { url: string; controlUrl: string };
  /** The one application a new world accepts (TELEGRAM_EMULATOR_APP_ID/_HASH); unset: the service's own pair. */
  app?: { apiId: number; apiHash: string };
}

function tcpSource(network: EmulatorNetwork): TelegramClientSource {
  const dc = network.dcs.find((d) => d.dcId === network.defaultDcId) ?? network.dcs[0];
  return {
    mode: 'emulator',
    description: `Telegram emulator server (MTProto over TCP, ${dc.host}:${dc.port})`,
    startupWarning: `Telegram emulator is on (TELEGRAM_EMULATOR): logins reach the emulator server at ${dc.host}:${dc.port}, not Telegram`,
    factory: createEmulatorServerClient(network),
    emulator: { transport: 'tcp', address: `${dc.host}:${dc.port}` },
  };
}

/**
 * The emulator server process may still be starting (npm start spawns it): ask for ~10 s. Its DCs are
 * dialled at TELEGRAM_EMULATOR_URL's host (the server may listen on 0.0.0.0 in a container).
 */
async function remoteNetwork(control: RemoteEmulatorControl, url: string): Promise<EmulatorNetwork> {
  const host = new URL(url).hostname;
  for (let attempt = 1; ; attempt++) {
    try {
      const network = await control.network();
      return { ...network, dcs: network.dcs.map((dc) => ({ ...dc, host })) };
    } catch (error) {
      if (attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * The Telegram emulator's wiring into the service: the one place that imports the emulator package
 * (@integration-service/telegram-emulator, a devDependency). AppModule loads it with a dynamic import only
 * with TELEGRAM_EMULATOR on (never in production, where the package is not installed).
 * Handed to `TelegramGatewayModule.forRoot({ backend })`, it replaces the gateway's client factory and
 * its API credentials; it also adds the development control routes (`/api/v1/dev/telegram-emulator/*`:
 * sessions, QR scans, bots, chats, network faults). Three ways to reach the world: in process (the fake
 * sender), an emulator server in this process (tests), or an emulator server process (TELEGRAM_EMULATOR_URL).
 */
@Module({})
export class TelegramEmulatorModule {
  static forRoot(options: TelegramEmulatorModuleOptions = {}): DynamicModule {
    const remote = options.remote ? new RemoteEmulatorControl(options.remote.controlUrl) : undefined;
    const remoteUrl = options.remote?.url ?? '';
    const world = remote
      ? undefined
      : (options.world ?? options.server?.world ?? new TelegramEmulator({ app: options.app }));
    const server = options.server;
    return {
      module: TelegramEmulatorModule,
      imports: [TelegramAccountsModule, TelegramBotsModule],
      controllers: [
        EmulatorControlController,
        EmulatorFaultsController,
        BotEmulatorControlController,
        ChatEmulatorControlController,
        MessageEmulatorControlController,
      ],
      providers: [
        {
          provide: TELEGRAM_EMULATOR_CONTROL,
          useFactory: (): EmulatorControlPort =>
            remote
              ? unavailableAs503(remote)
              : new LocalEmulatorControl(world as TelegramEmulator, server && ((r) => server.fault(r))),
        },
        {
          provide: TELEGRAM_CLIENT_SOURCE,
          useFactory: async (): Promise<TelegramClientSource> => {
            if (remote) return tcpSource(await remoteNetwork(remote, remoteUrl));
            if (server) return tcpSource(server.network);
            return {
              mode: 'emulator',
              description: 'Telegram emulator (in process)',
              startupWarning:
                'Telegram emulator is on (TELEGRAM_EMULATOR): logins reach an in-process fake of Telegram, not Telegram',
              factory: createEmulatedClient(world as TelegramEmulator),
              emulator: { transport: 'in-process' },
            };
          },
        },
        { provide: GatewayCredentials, useClass: EmulatorGatewayCredentials },
        EmulatorControlService,
        EmulatorFaultsService,
        BotEmulatorControlService,
        ChatEmulatorControlService,
        MessageEmulatorControlService,
        EmulatedChatAccess,
      ],
      exports: [TELEGRAM_CLIENT_SOURCE, GatewayCredentials, TELEGRAM_EMULATOR_CONTROL],
    };
  }
}
