/// A dictionary that remembers use order, with O(1) lookup, insert, touch and eviction of the
/// least recently used entry: a hash map from key to a slot in an array of nodes that form an
/// intrusive doubly linked list (most recent at `head`). Freed slots are reused.
struct LRUMap<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value?
        var newer: Int  // towards head; -1 at the head
        var older: Int  // towards tail; -1 at the tail
    }

    private var nodes: [Node] = []
    private var freeSlots: [Int] = []
    private var slots: [Key: Int] = [:]
    private var head = -1  // most recently used
    private var tail = -1  // least recently used

    init() {}

    var count: Int { slots.count }
    var isEmpty: Bool { slots.isEmpty }

    /// The value for `key`, marking it most recently used.
    mutating func get(_ key: Key) -> Value? {
        guard let slot = slots[key] else { return nil }
        moveToHead(slot)
        return nodes[slot].value
    }

    /// The value for `key` without changing the order.
    func peek(_ key: Key) -> Value? {
        slots[key].flatMap { nodes[$0].value }
    }

    /// Inserts or replaces `key` as the most recently used entry.
    mutating func set(_ key: Key, _ value: Value) {
        if let slot = slots[key] {
            nodes[slot].value = value
            moveToHead(slot)
            return
        }
        let node = Node(key: key, value: value, newer: -1, older: head)
        let slot: Int
        if let free = freeSlots.popLast() {
            nodes[free] = node
            slot = free
        } else {
            nodes.append(node)
            slot = nodes.count - 1
        }
        if head >= 0 { nodes[head].newer = slot }
        head = slot
        if tail < 0 { tail = slot }
        slots[key] = slot
    }

    /// Removes and returns the least recently used entry.
    @discardableResult
    mutating func removeLeastRecent() -> (key: Key, value: Value)? {
        guard tail >= 0 else { return nil }
        let key = nodes[tail].key
        guard let value = remove(key) else { return nil }
        return (key, value)
    }

    /// Removes `key`; returns its value if it was there.
    @discardableResult
    mutating func remove(_ key: Key) -> Value? {
        guard let slot = slots.removeValue(forKey: key) else { return nil }
        unlink(slot)
        let value = nodes[slot].value
        nodes[slot].value = nil  // release the value now; the slot is reused later
        freeSlots.append(slot)
        return value
    }

    mutating func removeAll() {
        self = LRUMap()
    }

    /// Keys from most to least recently used (O(n); for tests and inspection).
    var keysByRecency: [Key] {
        var keys: [Key] = []
        keys.reserveCapacity(count)
        var i = head
        while i >= 0 {
            keys.append(nodes[i].key)
            i = nodes[i].older
        }
        return keys
    }

    private mutating func unlink(_ slot: Int) {
        let newer = nodes[slot].newer, older = nodes[slot].older
        if newer >= 0 { nodes[newer].older = older } else { head = older }
        if older >= 0 { nodes[older].newer = newer } else { tail = newer }
        nodes[slot].newer = -1
        nodes[slot].older = -1
    }

    private mutating func moveToHead(_ slot: Int) {
        guard slot != head else { return }
        unlink(slot)
        nodes[slot].older = head
        nodes[slot].newer = -1
        if head >= 0 { nodes[head].newer = slot }
        head = slot
        if tail < 0 { tail = slot }
    }
}
