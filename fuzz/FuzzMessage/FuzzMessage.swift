import FuzzSupport
import SieveMessage

// The message parser on hostile input: it must return a message or a MessageError, never crash, and what it
// returns must be consistent (every part's body inside the message, children after their parent). The header
// decoders (RFC 2047, address lists, dates) run over every header field, and each part's body is decoded.

func fuzzOne(_ input: [UInt8]) {
    let message: Message
    do {
        message = try Message.parse(input, limits: MessageLimits(maxSize: 1 << 20, maxHeaderFields: 1000))
    } catch {
        return
    }
    for (index, part) in message.parts.enumerated() {
        if part.bodyStart < 0 || part.bodyStart > part.bodyEnd || part.bodyEnd > input.count {
            fatalError("part \(index) has body \(part.bodyStart)..<\(part.bodyEnd) in \(input.count) octets")
        }
        if index > 0 && !(0..<index).contains(part.parent) { fatalError("part \(index) has parent \(part.parent)") }
        for field in part.headers {
            _ = EncodedWords.decode(field.value, converter: nil)
            _ = AddressList.parse(field.value)
            if let date = MessageDate.parse(field.value) { _ = date.fields }
        }
        _ = TransferEncoding.decode(message.body(of: index), encoding: part.transferEncoding)
    }
}

fuzzMain(name: "FuzzMessage", fuzzOne)
