import { PropertySlots } from '../../../../shared/ingest/message/properties';

it('prefers the exact name wherever it sits, else the first key equal in another case', () => {
  const slots = new PropertySlots(['message-id', 'contentType']);
  const { slot } = slots;
  expect(slots.read({ 'MESSAGE-ID': 'loose', 'message-id': 'exact' })[slot['message-id']]).toBe('exact');
  expect(slots.read({ 'message-id': 'exact', 'Message-Id': 'loose' })[slot['message-id']]).toBe('exact');
  expect(slots.read({ ContentType: 'first', CONTENTTYPE: 'second' })[slot.contentType]).toBe('first');
  expect(slots.read({ other: 1 })[slot.contentType]).toBeUndefined();
});

it('refuses names that differ only in case (one of them could never be read)', () => {
  expect(() => new PropertySlots(['messageId', 'messageid'])).toThrow(/only in case/);
});
