import Auth
import FuzzSupport

// Fuzz target for the SASL mechanisms' message parsing (PLAIN, LOGIN, SCRAM client-first/final with and
// without channel binding, EXTERNAL), all reachable before login, and the strict base64 decoder in front of
// them.
//
// Input: byte 0 selects the mechanism, byte 1 the connection (TLS, channel-binding data, a certificate user);
// the rest is the client's messages separated by 0xFF (the first is the initial response; an empty first
// message means none). In a SCRAM client-final-message `%` stands for the combined nonce the server chose,
// so that the fuzzer reaches the proof check.
//
// Checks: no crash or hang; SCRAM never succeeds (no input can know the proof); PLAIN and LOGIN succeed only
// for the stored password; EXTERNAL succeeds only as the certificate's user; a success names a known user;
// strict base64 accepts only canonical text (decode then encode gives the input back) and round-trips any
// octets.

let mechanisms = [
    "PLAIN", "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "EXTERNAL",
]

let users: [String: PasswdEntry] = [
    "user": PasswdEntry(user: "user", password: "{PLAIN}pencil", uid: 1500, gid: 1500),
    "scram": PasswdEntry(
        user: "scram",
        password:
            "{SCRAM-SHA-256}4096,wE+7fBBwXM6GfVUsrbA4cw==,/H6tJL1PQHQIL6Cfp2lpKxKxwkvp990TkyEYpcaTdEA=,"
            + "LOizJ6NYU8tHBlY1nM2vGBfyxmUeYPb5v0rt4dMoX8I=",
        uid: 1501, gid: 1501),
    "sha1": PasswdEntry(
        user: "sha1",
        password:
            "{SCRAM-SHA-1}4096,luQKau/CvqgcIqkY3jcd+w==,Aug5SVZQ9vbakUsMP1KztZd9gv0=,LNsGd0HySzLsUeIUqSTFYST13Fo=",
        uid: 1502, gid: 1502),
]

/// `r=` of a server-first-message.
func serverNonce(_ challenge: [UInt8]) -> [UInt8]? {
    for field in challenge.split(separator: UInt8(ascii: ",")) where field.starts(with: Array("r=".utf8)) {
        return Array(field.dropFirst(2))
    }
    return nil
}

func checkBase64(_ input: [UInt8]) {
    if let decoded = Base64.decode(input), Base64.encode(decoded) != input {
        fatalError("base64 accepted a non-canonical text")
    }
    guard Base64.decode(Base64.encode(input)) == input else { fatalError("base64 does not round-trip") }
}

func fuzzOne(_ input: [UInt8]) {
    checkBase64(input)
    guard input.count >= 2 else { return }
    let mechanism = mechanisms[Int(input[0]) % mechanisms.count]
    let flags = input[1]
    var bindings: [String: [UInt8]] = [:]
    if flags & 2 != 0 {
        bindings["tls-exporter"] = Array(repeating: 0x42, count: 32)
        bindings["tls-server-end-point"] = Array(repeating: 0x17, count: 32)
    }
    let certificateUser: String? = flags & 4 != 0 ? "user" : nil
    let context = SASLContext(tlsActive: flags & 1 != 0, channelBindings: bindings, certificateUser: certificateUser)
    guard var server = SASLServer(mechanism: mechanism, context: context, lookup: { users[$0] }) else {
        fatalError("\(mechanism) not implemented")
    }
    var messages = input[2...].split(separator: 0xFF, maxSplits: 8, omittingEmptySubsequences: false).map(Array.init)
    let first = messages.removeFirst()
    var step = server.start(initialResponse: first.isEmpty && flags & 8 == 0 ? nil : first)
    var nonce: [UInt8]? = nil
    var rounds = 0
    while case .challenge(let challenge) = step {
        rounds += 1
        if rounds > 8 { fatalError("\(mechanism) keeps challenging") }
        if nonce == nil { nonce = serverNonce(challenge) }
        guard !messages.isEmpty else { return }
        var message = messages.removeFirst()
        if let nonce, let mark = message.firstIndex(of: UInt8(ascii: "%")) {
            message.replaceSubrange(mark...mark, with: nonce)
        }
        step = server.step(message)
    }
    guard case .success(let entry, _) = step else { return }
    guard users[entry.user] == entry else { fatalError("success for an unknown entry \(entry.user)") }
    switch mechanism {
    case "PLAIN", "LOGIN":
        let password = Array("pencil".utf8)
        guard input.indices.contains(where: { input[$0...].starts(with: password) }) else {
            fatalError("\(mechanism) succeeded without the password")
        }
    case "EXTERNAL":
        guard entry.user == certificateUser else { fatalError("EXTERNAL succeeded as \(entry.user)") }
    default:
        fatalError("\(mechanism) succeeded without knowing the password")
    }
}

fuzzMain(name: "FuzzSASL", fuzzOne)
