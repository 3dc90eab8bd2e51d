// RFC 5228 §5.4 (envelope)
struct Envelope: SieveExtension {
    let name = "envelope"
    var commands: [CommandDefinition] {
        [
            .test(
                "envelope", [.stringList, .stringList], names: ["envelope part", "key list"],
                features: [.comparator, .matchType, .addressPart],
                check: { use, v in
                    for part in use.strings(ofPositional: 0) where v.isConstant(part) {
                        let kind = part.withBytes(Envelope.part)
                        if kind == .unknown {
                            v.error(.unknownEnvelopePart(part.text), at: part)
                            return
                        }
                        if kind == .auth, let addressPart = use.tag(in: .addressPart) {
                            v.error(.addressPartOnNonAddress(addressPart.definition.name, part: part.text), at: part)
                            return
                        }
                    }
                })
        ]
    }

    enum Part { case address, auth, unknown }

    /// Which envelope part a name is ("from", "to", "auth", in any case), read from its bytes.
    static func part(_ name: UnsafeBufferPointer<UInt8>) -> Part {
        if Checks.equalsIgnoringASCIICase(name, "from") || Checks.equalsIgnoringASCIICase(name, "to") {
            return .address
        }
        return Checks.equalsIgnoringASCIICase(name, "auth") ? .auth : .unknown
    }
}
