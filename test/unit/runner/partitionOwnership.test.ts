import { PartitionOwnership } from '../../../local/runner/partitionOwnership';

const partitions = ['0', '1', '2', '3', '4', '5', '6', '7'];

function claimAll(ownership: PartitionOwnership): number[] {
  return partitions.map((p) => ownership.ownerOf(p));
}

it('spreads the partitions evenly, one owner each', () => {
  const ownership = new PartitionOwnership(3);
  claimAll(ownership);
  expect(ownership.owned()).toEqual([3, 3, 2]);
});

it('a rebalance moves partitions, and a lease taken before the move no longer holds', () => {
  const ownership = new PartitionOwnership(4);
  const before = claimAll(ownership);
  const lease = ownership.lease('2');
  expect(ownership.holds(lease)).toBe(true);
  ownership.rebalance();
  const after = claimAll(ownership);
  expect(after).not.toEqual(before);
  expect(ownership.owned()).toEqual([2, 2, 2, 2]);
  expect(ownership.holds(lease)).toBe(false);
  expect(ownership.lease('2').owner).not.toBe(lease.owner);
  expect(ownership.moves).toBe(8);
  expect(ownership.rebalances).toBe(1);
});

it('with one instance a rebalance moves nothing, so every checkpoint holds', () => {
  const ownership = new PartitionOwnership(1);
  claimAll(ownership);
  const lease = ownership.lease('5');
  ownership.rebalance();
  expect(ownership.holds(lease)).toBe(true);
  expect(ownership.moves).toBe(0);
});

it('a crashed instance owns nothing; its partitions go to the live ones', () => {
  const ownership = new PartitionOwnership(2);
  claimAll(ownership);
  ownership.markDead(1);
  expect(ownership.owned()).toEqual([8, 0]);
  expect(ownership.live()).toEqual([0]);
  expect(claimAll(ownership).every((owner) => owner === 0)).toBe(true);
});

it('with every instance dead a new partition cannot be owned, and says so', () => {
  const ownership = new PartitionOwnership(1);
  ownership.markDead(0);
  expect(() => ownership.ownerOf('0')).toThrow(/Every function instance has crashed/);
});

it('refuses a count that is not a positive integer', () => {
  expect(() => new PartitionOwnership(0)).toThrow(/positive integer/);
});

it('a pinned partition (its batch being redelivered) stays put through rebalances until unpinned; a crash still moves it', () => {
  const ownership = new PartitionOwnership(3);
  claimAll(ownership);
  const lease = ownership.lease('3');
  const unpinned = ownership.lease('2');
  ownership.pin('3');
  ownership.rebalance();
  expect(ownership.holds(lease)).toBe(true);
  expect(ownership.holds(unpinned)).toBe(false);
  ownership.unpin('3');
  ownership.rebalance();
  expect(ownership.holds(lease)).toBe(false);
  const moved = ownership.lease('3');
  ownership.pin('3');
  ownership.markDead(moved.owner);
  expect(ownership.holds(moved)).toBe(false);
  expect(ownership.ownerOf('3')).not.toBe(moved.owner);
});
