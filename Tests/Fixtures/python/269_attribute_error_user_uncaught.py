# Accessing a missing attribute on a user object.
class Account:
    def __init__(self, owner):
        self.owner = owner

acct = Account("zoe")
print(acct.owner)
print(acct.balance_in_cents)
