import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AmqpBroker } from './broker/amqp-broker';
import { AsyncApiController } from './catalogue/asyncapi.controller';
import { EventHub } from './hub/event-hub';
import { EventMetrics } from './hub/event-metrics';
import { OutboxEventEntity } from './outbox/outbox-event.entity';
import { OutboxMonitor } from './outbox-monitor';
import { OutboxRepository } from './outbox/outbox.repository';
import { OutboxService } from './outbox/outbox.service';
import { EVENT_SINK, EventRelay } from './relay/event-relay';
import { LocalSink } from './relay/local-sink';
import { WsRegistry } from './ws/ws-registry';
import { WsThrottle } from './ws/ws-throttle';

/**
 * Events: the transactional outbox (OutboxService.add inside a state change's transaction), the
 * relay to RabbitMQ (or in-process without AMQP_URL), this replica's WebSocket clients, the
 * AsyncAPI document and the metrics. Global, so every feature's transitions can write events.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([OutboxEventEntity])],
  controllers: [AsyncApiController],
  providers: [
    EventHub,
    EventMetrics,
    OutboxService,
    OutboxRepository,
    OutboxMonitor,
    AmqpBroker,
    LocalSink,
    {
      provide: EVENT_SINK,
      inject: [AmqpBroker, LocalSink],
      useFactory: (broker: AmqpBroker, local: LocalSink) => (broker.enabled ? broker : local),
    },
    EventRelay,
    WsRegistry,
    WsThrottle,
  ],
  exports: [OutboxService, EventHub, WsRegistry],
})
export class EventsModule {}
