# Class-level counters, id generation and __init__ side effects.
class Ticket:
    _next = 1
    def __init__(self, title):
        self.id = Ticket._next
        Ticket._next += 1
        self.title = title
    def __repr__(self):
        return f"#{self.id} {self.title}"

tickets = [Ticket(t) for t in ["bug", "feature", "chore"]]
print(tickets)
print(Ticket._next)
by_id = {t.id: t for t in tickets}
print(by_id[2])
