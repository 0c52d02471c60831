import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { allTopics, checkEvent, InvalidEvent, topicEvents, topicPartitions, Topics } from '../src/index';

const scanned = () => ({
  eventId: randomUUID(),
  type: 'ProductScanned',
  occurredAt: new Date().toISOString(),
  scanId: randomUUID(),
  gtin: '09506000134352',
  brandId: null,
  subject: { kind: 'visitor', id: 'v-1' },
  scannedAt: new Date().toISOString(),
});

describe('event contracts', () => {
  it('accepts an event that matches its topic schema', () => {
    const event = scanned();
    expect(checkEvent(Topics.productScanned, event)).toBe(event);
  });

  it('refuses unknown fields, wrong types and events of another topic', () => {
    expect(() => checkEvent(Topics.productScanned, { ...scanned(), email: 'a@b.c' })).toThrow(InvalidEvent);
    expect(() => checkEvent(Topics.productScanned, { ...scanned(), gtin: '123' })).toThrow(/gtin/);
    expect(() => checkEvent(Topics.brandMetrics, scanned())).toThrow(/unknown event type/);
    expect(() => checkEvent(Topics.productScanned, 'not an object')).toThrow(InvalidEvent);
  });

  it('declares every topic of the public contract with a partition count and a dead-letter topic', () => {
    expect(Object.keys(topicEvents).sort()).toEqual(Object.values(Topics).sort());
    for (const topic of Object.values(Topics)) expect(topicPartitions[topic]).toBeGreaterThan(0);
    const names = allTopics().map((t) => t.topic);
    for (const topic of Object.values(Topics)) expect(names).toContain(`${topic}.dlq`);
  });
});
