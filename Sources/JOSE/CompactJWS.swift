// RFC 7515 §7.1: the JWS compact serialisation, `BASE64URL(header) . BASE64URL(payload) . BASE64URL(signature)`,
// as a JWT (RFC 7519 §7.2) carries it. Parsing checks form only; the signature is someone else's to verify.

/// Why a token was refused: each case names what is wrong, for the log and for `check-token`.
public enum TokenError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLong(limit: Int)
    case notThreeParts(Int)
    case badBase64url(part: String)
    case badJSON(part: String, JSONError)
    case notAnObject(part: String)
    case missingHeader(String)
    case unsupportedAlgorithm(String)
    case unsupportedHeader(String)

    public var description: String {
        switch self {
        case .tooLong(let limit): "the token is longer than \(limit) octets"
        case .notThreeParts(let count): "a JWS has 3 dot-separated parts, this token has \(count)"
        case .badBase64url(let part): "the \(part) is not valid base64url"
        case .badJSON(let part, let error): "the \(part) is not valid JSON: \(error)"
        case .notAnObject(let part): "the \(part) is not a JSON object"
        case .missingHeader(let name): "the header has no \"\(name)\""
        case .unsupportedAlgorithm(let alg):
            "algorithm \"\(alg)\" is not accepted (accepted: "
                + JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", ") + ")"
        case .unsupportedHeader(let why): why
        }
    }
}

/// A JWT in JWS compact form, decoded but not yet verified.
public struct CompactJWS: Sendable {
    /// The protected header.
    public var header: JSONObject
    /// The claims (the JWS payload parsed as a JSON object).
    public var claims: JSONObject
    /// `alg`.
    public var algorithm: JWSAlgorithm
    /// `kid`, when the header names the key.
    public var keyID: String?
    /// The octets the signature covers: the first two parts and the dot between them, as sent.
    public var signingInput: [UInt8]
    /// The decoded signature.
    public var signature: [UInt8]

    /// Tokens longer than this are refused before any decoding (identity providers' tokens are a few KB).
    public static let maxLength = 16 * 1024

    /// Decodes `token` (the compact serialisation, ASCII).
    public init(_ token: [UInt8]) throws(TokenError) {
        guard token.count <= Self.maxLength else { throw .tooLong(limit: Self.maxLength) }
        let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .notThreeParts(parts.count) }
        let header = try Self.object(parts[0], part: "header")
        claims = try Self.object(parts[1], part: "payload")
        guard let signature = Base64URL.decode(parts[2]) else { throw .badBase64url(part: "signature") }
        guard let alg = header["alg"] else { throw .missingHeader("alg") }
        guard let name = alg.string, let algorithm = JWSAlgorithm(rawValue: name) else {
            throw .unsupportedAlgorithm(alg.string ?? alg.kindDescription)
        }
        // RFC 7515 §4.1.11: a critical extension we do not understand makes the JWS invalid.
        if header["crit"] != nil { throw .unsupportedHeader("the header lists critical extensions (\"crit\")") }
        if let typ = header["typ"], typ.string == nil { throw .unsupportedHeader("\"typ\" is not a string") }
        switch header["kid"] {
        case nil: keyID = nil
        case .string(let kid): keyID = kid
        default: throw .unsupportedHeader("\"kid\" is not a string")
        }
        self.header = header
        self.algorithm = algorithm
        self.signature = signature
        signingInput = Array(token[..<(parts[0].count + 1 + parts[1].count)])
    }

    private static func object(_ part: ArraySlice<UInt8>, part name: String) throws(TokenError) -> JSONObject {
        guard let bytes = Base64URL.decode(part) else { throw .badBase64url(part: name) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, limits: JSONLimits(maxSize: maxLength, maxDepth: 8, maxValues: 1024))
        } catch {
            throw .badJSON(part: name, error)
        }
        guard let object = value.object else { throw .notAnObject(part: name) }
        return object
    }
}
