import Testing

@testable import Posix

@Suite("Deadline")
struct DeadlineTests {
    @Test("counts down and passes")
    func countsDown() {
        let deadline = Deadline.after(milliseconds: 60)
        #expect(!deadline.hasPassed)
        #expect(deadline.remainingMilliseconds > 0 && deadline.remainingMilliseconds <= 60)
        Clock.sleep(milliseconds: 70)
        #expect(deadline.hasPassed)
        #expect(deadline.remainingMilliseconds == 0)
    }

    @Test("a negative or zero span is already due")
    func alreadyDue() {
        #expect(Deadline.after(milliseconds: -10).hasPassed)
        #expect(Deadline.after(milliseconds: 0).remainingMilliseconds == 0)
    }

    @Test("the earliest of several limits is their minimum")
    func ordering() {
        let idle = Deadline(monotonicMilliseconds: 5000)
        let command = Deadline(monotonicMilliseconds: 1000)
        let login = Deadline(monotonicMilliseconds: 3000)
        #expect([idle, command, login].min() == command)
        #expect(command < login && login < idle)
    }
}
