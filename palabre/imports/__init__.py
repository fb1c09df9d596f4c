"""Responses collected away from the phone channels (enumerators' tablets, paper), read from files and stored."""
