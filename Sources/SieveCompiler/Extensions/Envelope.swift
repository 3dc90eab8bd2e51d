// RFC 5228 §5.4 (envelope)
struct Envelope: SieveExtension {
    let name = "envelope"
    var commands: [CommandDefinition] {
        [.test("envelope", [.stringList, .stringList], names: ["envelope part", "key list"],
               features: [.comparator, .matchType, .addressPart], check: { use, v in
            for part in use.positional[0].strings ?? [] where v.isConstant(part) {
                if !["from", "to", "auth"].contains(part.text.lowercased()) {
                    v.error(.unknownEnvelopePart(part.text), at: part)
                }
            }
        })]
    }
}
