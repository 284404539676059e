import Foundation

/// One item: attribute name to value.
public typealias DynamoDBItem = [String: DynamoDBAttributeValue]

/// A DynamoDB attribute value in the JSON wire shape `{"S": "…"}`, `{"N": "1"}`, `{"M": {…}}`, ….
public enum DynamoDBAttributeValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `S`: a string.
    case string(String)
    /// `N`: a number, kept as text because DynamoDB numbers exceed Double's precision.
    case number(String)
    /// `B`: bytes (base64 on the wire).
    case binary([UInt8])
    /// `BOOL`.
    case bool(Bool)
    /// `NULL`.
    case null
    /// `M`: a nested map.
    case map([String: DynamoDBAttributeValue])
    /// `L`: a list.
    case list([DynamoDBAttributeValue])
    /// `SS`: a string set.
    case stringSet([String])
    /// `NS`: a number set.
    case numberSet([String])
    /// `BS`: a binary set.
    case binarySet([[UInt8]])

    private enum Key: String, CodingKey {
        case S, N, B, BOOL, NULL, M, L, SS, NS, BS
    }

    /// Decodes the single-key wire object; an unknown type key is a decoding error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "attribute value has no known type key"))
        }
        switch key {
        case .S: self = .string(try container.decode(String.self, forKey: key))
        case .N: self = .number(try container.decode(String.self, forKey: key))
        case .B: self = .binary(try Self.decodeBase64(try container.decode(String.self, forKey: key), container, key))
        case .BOOL: self = .bool(try container.decode(Bool.self, forKey: key))
        case .NULL: self = .null
        case .M: self = .map(try container.decode([String: DynamoDBAttributeValue].self, forKey: key))
        case .L: self = .list(try container.decode([DynamoDBAttributeValue].self, forKey: key))
        case .SS: self = .stringSet(try container.decode([String].self, forKey: key))
        case .NS: self = .numberSet(try container.decode([String].self, forKey: key))
        case .BS: self = .binarySet(try container.decode([String].self, forKey: key).map { try Self.decodeBase64($0, container, key) })
        }
    }

    /// Encodes the single-key wire object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .string(let value): try container.encode(value, forKey: .S)
        case .number(let value): try container.encode(value, forKey: .N)
        case .binary(let value): try container.encode(Data(value).base64EncodedString(), forKey: .B)
        case .bool(let value): try container.encode(value, forKey: .BOOL)
        case .null: try container.encode(true, forKey: .NULL)
        case .map(let value): try container.encode(value, forKey: .M)
        case .list(let value): try container.encode(value, forKey: .L)
        case .stringSet(let value): try container.encode(value, forKey: .SS)
        case .numberSet(let value): try container.encode(value, forKey: .NS)
        case .binarySet(let value): try container.encode(value.map { Data($0).base64EncodedString() }, forKey: .BS)
        }
    }

    private static func decodeBase64(_ text: String, _ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "binary value is not base64")
        }
        return Array(data)
    }

    /// The string if this is `S`.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The number text if this is `N`.
    public var numberText: String? {
        if case .number(let value) = self { value } else { nil }
    }

    /// The wire JSON, e.g. `{"S":"x"}`.
    public var description: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "<unencodable>"
    }
}
