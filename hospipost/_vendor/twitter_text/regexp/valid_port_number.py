import re

valid_port_number = re.compile(r'[0-9]+')
