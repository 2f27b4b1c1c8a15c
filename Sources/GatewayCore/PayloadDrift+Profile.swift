import JSONCore
import Support

/// A payload's shape and digest from a cache of the shapes already seen. A provider's webhooks come in a few
/// shapes, and building the `path → type` map of each and digesting its sorted lines was 8 % of an ingest's CPU;
/// a walk that only hashes what the shape is built from finds the cached answer instead.
extension PayloadDrift {
    /// Shapes kept at most (the cache is emptied when full: a provider sending ever new shapes only pays the build).
    static let maxProfiles = 512
    private static let profiles = LockedValue<[UInt64: Profile]>([:])

    public struct Profile: Sendable, Equatable {
        public let shape: [String: String]
        public let digest: String
    }

    /// `shape(json)` and its `digest`, the same values as computing them directly.
    public static func profile(_ json: JSON) -> Profile {
        guard let key = fingerprint(json) else { return build(json) }
        if let known = profiles.withLock({ $0[key] }) { return known }
        let profile = build(json)
        profiles.withLock { cache in
            if cache.count >= maxProfiles { cache.removeAll(keepingCapacity: true) }
            cache[key] = profile
        }
        return profile
    }

    private static func build(_ json: JSON) -> Profile {
        let shape = shape(json)
        return Profile(shape: shape, digest: digest(shape))
    }

    /// A hash of every (path, type) the shape walk visits, in any order: equal fingerprints mean equal shapes (but
    /// for a 64-bit collision). It follows `shape`'s walk: the same depth limit, the first 20 items of arrays, `int`
    /// and `double` both numbers. Nil when the walk visits more nodes than `shape` keeps paths, where which paths
    /// are kept depends on the order of the walk.
    static func fingerprint(_ json: JSON) -> UInt64? {
        var sum: UInt64 = 0
        var visited = 0
        func walk(_ value: JSON, _ path: UInt64, _ depth: Int) -> Bool {
            if depth > 0 {
                visited += 1
                guard visited <= maxPaths else { return false }
                sum &+= mix(path ^ typeCode(value))
            }
            guard depth < maxDepth else { return true }
            switch value {
            case .object(let object):
                for member in object where !walk(member.value, mix(path &+ keyHash(member.key)), depth + 1) { return false }
            case .array(let items):
                for item in items.prefix(20) where !walk(item, mix(path &+ 0x9E37_79B9_7F4A_7C15), depth + 1) { return false }
            default: break
            }
            return true
        }
        return walk(json, 0, 0) ? sum : nil
    }

    private static func typeCode(_ value: JSON) -> UInt64 {
        switch value {
        case .null: 1
        case .bool: 2
        case .int, .double: 3
        case .string: 4
        case .array: 5
        case .object: 6
        default: 7
        }
    }

    /// FNV-1a of the key's bytes, made unlike any array step.
    private static func keyHash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash ^ 0x5851_F42D_4C95_7F2D
    }

    /// splitmix64's finalizer: spreads every input bit over the output.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
