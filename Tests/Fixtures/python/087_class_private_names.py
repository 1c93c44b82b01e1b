# Name mangling of __private attributes and single-underscore conventions.
class Account:
    def __init__(self, balance):
        self.__balance = balance
        self._note = "internal"
    def balance(self):
        return self.__balance

a = Account(50)
print(a.balance(), a._note)
try:
    print(a.__balance)
except AttributeError as e:
    print(e)
print(a._Account__balance)
print(sorted(vars(a)))
