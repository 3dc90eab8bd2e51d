import FuzzSupport
import ManageSieveProtocol

// Fuzz target for the PROXY v1/v2 header parser, which reads the first octets of a connection from a peer in
// `haproxy_trusted_networks` before anything else runs.
//
// Checks, for every input:
// 1. A complete header never claims more octets than were given, and at least the fixed part of its version.
// 2. The verdict does not depend on how the octets arrive: every prefix of an input that parses as a header
//    (or as invalid) is `incomplete`, a header, or invalid — never `notProxy` — and the header found in the
//    whole input is the one found in its first `length` octets (what the server consumes).
// 3. An address is numeric and parses back as an IP address; a port comes with an address.

func fuzzOne(_ input: [UInt8]) {
    let whole = ProxyHeaderParser.parse(input)
    switch whole {
    case .header(let header):
        guard header.length > 0, header.length <= input.count else {
            fatalError("header length \(header.length) outside 1...\(input.count)")
        }
        guard header.version == 1 || header.version == 2 else { fatalError("version \(header.version)") }
        if header.version == 2 && header.length < 16 { fatalError("v2 header shorter than 16 octets") }
        guard ProxyHeaderParser.parse(Array(input[..<header.length])) == whole else {
            fatalError("the header's own octets parse differently")
        }
        if let address = header.sourceAddress, IPAddress.parse(address) == nil {
            fatalError("source address '\(address)' is not an IP address")
        }
        if header.sourcePort != nil && header.sourceAddress == nil { fatalError("a port without an address") }
    case .notProxy, .incomplete, .invalid:
        break
    }
    if case .notProxy = whole { return }
    // Prefixes of something that starts like a PROXY header are never "not PROXY".
    var cut = 1
    while cut < input.count {
        if case .notProxy = ProxyHeaderParser.parse(Array(input[..<cut])) {
            fatalError("prefix of \(cut) octets judged not PROXY, the whole input \(whole)")
        }
        cut += max(1, input.count / 16)
    }
}

fuzzMain(name: "FuzzProxyHeader", fuzzOne)
