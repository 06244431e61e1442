import re

cyrillic_letters_and_marks = re.compile(r'\u0400-\u04FF')
