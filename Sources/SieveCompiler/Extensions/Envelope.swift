// RFC 5228 §5.4 (envelope)
struct Envelope: SieveExtension {
    let name = "envelope"
    var commands: [CommandDefinition] {
        [
            .test(
                "envelope", [.stringList, .stringList], names: ["envelope part", "key list"],
                features: [.comparator, .matchType, .addressPart],
                check: { use, v in
                    let addressPart = use.tag(in: .addressPart)
                    for part in use.positional[0].strings ?? [] where v.isConstant(part) {
                        let name = part.text.lowercased()
                        if !["from", "to", "auth"].contains(name) {
                            v.error(.unknownEnvelopePart(part.text), at: part)
                            return
                        }
                        if name == "auth", let addressPart {
                            v.error(.addressPartOnNonAddress(addressPart.definition.name, part: part.text), at: part)
                            return
                        }
                    }
                })
        ]
    }
}
