extension JSON {
    /// The same document with every string value passed through `transform` (and object keys too, with `keys`);
    /// numbers, booleans, nulls and pre-rendered values are kept as they are.
    public func mappingStrings(keys: Bool = false, _ transform: (String) -> String) -> JSON {
        switch self {
        case .string(let text): return .string(transform(text))
        case .array(let items): return .array(items.map { $0.mappingStrings(keys: keys, transform) })
        case .object(let object):
            var out = JSONObject()
            for member in object { out[keys ? transform(member.key) : member.key] = member.value.mappingStrings(keys: keys, transform) }
            return .object(out)
        default: return self
        }
    }
}
