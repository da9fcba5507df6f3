#!/usr/bin/python3
"""Renders small templates with jinja2 exactly as transformers configures it and writes the results to
jinja/src/test/resources/jinja/cases.json, the expectations of JinjaConformanceTest.
Usage: /usr/bin/python3 tools/jinja_cases.py [OUT.json]"""
import json, os, sys
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.ext import loopcontrols
from jinja2.exceptions import TemplateError, TemplateSyntaxError

def raise_exception(msg):
    raise TemplateError(msg)

def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception

V = {"x": 1, "y": 2.5, "s": "Hello World", "e": "", "n": None, "t": True, "f": False,
     "l": [3, 1, 2], "sl": ["b", "A", "c", "a"], "d": {"b": 1, "a": [1, 2], "c": {"z": None}},
     "msgs": [{"role": "system", "content": " sys "}, {"role": "user", "content": "hi"},
              {"role": "assistant", "content": "yo", "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}]}],
     "u": "h\u00e9llo \u4e16\u754c \U0001F600", "fl": [1.0, 0.1, 1e-05, 1e16, 123456789.125, -0.0, 2.5e-7, 1e22],
     "people": [{"name": "Bo", "age": 30}, {"name": "al", "age": 25}, {"name": "Cy", "age": 30}]}

CASES = [
    # whitespace control: trim_blocks, lstrip_blocks, -, +
    "a\n{% if t %}\nyes\n{% endif %}\nb",
    "a\n    {% if t %}\n    yes\n    {% endif %}\nb",
    "a  {% if t %}x{% endif %}  b",
    "a\n  {%- if t %}x{% endif -%}  \n  b",
    "a\n  {%+ if t %}x{% endif +%}\nb",
    "{{ x }}\n{{ x }}\n",
    "{{- ' a ' -}}\n\n  {{ x }}  \n",
    "  {# comment #}\nx\n  {#- c -#}  y",
    "\t{% for i in l %}\n\t{{ i }}\n\t{% endfor %}\n",
    "line1\r\nline2\r\n{% if t %}\r\nA\r\n{% endif %}\r\n",
    "{% raw %}{{ not parsed }}{% endraw %}",
    "x\n  {% raw %}\n{{ a }}\n  {% endraw %}\ny",
    "{{ 'a' }}   {% if t %}b{% endif %}",
    "{% if t %}   \n  x{% endif %}",
    "trailing\n\n",
    "{% set a = 1 %}\n\n{{ a }}",
    "  {{- x }}",
    "{% for m in msgs %}\n    {%- if m.role == 'user' %}\n        {{- m.content }}\n    {%- endif %}\n{% endfor %}",
    "\u00a0 {% if t %}x{% endif %}",
    # precedence
    "{{ not n is defined }}|{{ not zz is defined }}|{{ not n is none }}|{{ not x is none }}",
    "{{ not x == 1 }}|{{ not x in l }}|{{ x not in l }}|{{ 1 in l and 2 in l }}",
    "{{ 1 + 2 * 3 }}|{{ (1 + 2) * 3 }}|{{ 2 ** 3 ** 2 }}|{{ -2 ** 2 }}|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ 7 % 3 }}|{{ -7 % 3 }}|{{ 7 / 2 }}|{{ 6 / 3 }}",
    "{{ 1 ~ 2 + 3 }}|{{ 'a' ~ 1 * 2 }}|{{ 'a' ~ n ~ t ~ y }}",
    "{{ 'x' if t else 'y' }}|{{ 'x' if f else 'y' }}|{{ 'x' if f }}|{{ 1 if f else 2 if t else 3 }}",
    "{{ x > 0 and x < 2 }}|{{ 0 < x < 2 }}|{{ 1 == 1.0 }}|{{ 'a' < 'b' }}|{{ [1, 2] < [1, 3] }}",
    "{{ -x|abs }}|{{ -l|length }}",
    "{{ t and 'yes' or 'no' }}|{{ f and 'yes' or 'no' }}|{{ 0 or '' or 'z' }}|{{ x and y }}",
    "{{ x is defined and x > 0 }}|{{ zz is not defined }}|{{ x is not none }}",
    "{{ l | length > 2 }}|{{ s | lower == 'hello world' }}",
    "{{ x is divisibleby 1 }}|{{ 4 is divisibleby(2) }}|{{ x is odd }}|{{ x is even }}",
    # printing Python values
    "{{ l }}|{{ d }}|{{ n }}|{{ t }}|{{ y }}|{{ (1,) }}|{{ (1, 'a') }}|{{ [] }}|{{ {} }}",
    "{{ ['it\\'s', 'say \"hi\"', 'both \\' \"', 'tab\\t', 'nl\\n', '\\\\', '\\x00\\x7f\\x85', u] }}",
    "{{ fl }}",
    "{% for v in fl %}{{ v }} {% endfor %}",
    "{{ 1.5e300 * 1e10 }}|{{ 10 ** 20 }}|{{ 2 ** 64 }}|{{ 0.1 + 0.2 }}|{{ 1e-4 }}|{{ 123456789012345678.0 }}",
    "{{ True + 1 }}|{{ x * 'ab' }}|{{ [1] * 2 }}|{{ 'ab' * 0 }}|{{ l + [9] }}",
    "{{ msgs[0] }}",
    # variables and scoping
    "{% set a = 1 %}{% for i in l %}{% set a = i %}{{ a }}{% endfor %}{{ a }}",
    "{% for i in [1, 2] %}{% if i == 2 %}[{{ q }}]{% endif %}{% set q = i %}{% endfor %}",
    "{% set ns = namespace(c=0, last=none) %}{% for i in l %}{% set ns.c = ns.c + i %}{% set ns.last = i %}{% endfor %}{{ ns.c }} {{ ns.last }}",
    "{% if t %}{% set a = 'in-if' %}{% endif %}{{ a }}",
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c = (3, 4) %}{{ c }}",
    "{% set blk %}  inner {{ x }}  {% endset %}[{{ blk }}]",
    "{% set blk | upper %}abc{% endset %}{{ blk }}",
    "{% set msgs = msgs[1:] %}{{ msgs | length }}{{ msgs[0].role }}",
    "{% with a = 5, b = x %}{{ a + b }}{% endwith %}{{ a }}",
    # loops
    "{% for i in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}",
    "{% for i in l %}{{ loop.previtem }}-{{ loop.nextitem }},{% endfor %}",
    "{% for i in l if i > 1 %}{{ i }}{{ loop.index }}{{ loop.length }},{% endfor %}",
    "{% for i in [] %}x{% else %}empty{% endfor %}|{% for i in l if i > 5 %}x{% else %}none{% endfor %}",
    "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
    "{% for k in d %}{{ k }}{% endfor %}|{% for c in 'abc' %}{{ c }}.{% endfor %}",
    "{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}",
    "{% for a in l %}{% for b in l %}{{ loop.index }}{% endfor %}{{ loop.index }}|{% endfor %}",
    "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}",
    "{% for i in range(3) %}{{ loop.cycle('a', 'b') }}{% endfor %}|{{ range(2, 10, 3) | list }}|{{ range(5, 0, -2) | list }}",
    "{% for m in msgs[::-1] %}{{ m.role }} {% endfor %}",
    "{% for x in zz %}a{% endfor %}|",
    # macros and calls
    "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bo') }} {{ greet('Al', punct='?') }} {{ greet(name='Cy') }}",
    "{% macro m(a) %}{{ a }}|{{ varargs }}|{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }}",
    "{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}body {{ x }}{% endcall %}",
    "{% macro rec(n) %}{{ n }}{% if n > 0 %}{{ rec(n - 1) }}{% endif %}{% endmacro %}{{ rec(3) }}",
    "{% macro m(a) %}[{{ a }}]{% endmacro %}{{ m() }}",
    "{% filter upper %}shout {{ s }}{% endfilter %}",
    # subscripts, slices, attributes
    "{{ l[0] }}{{ l[-1] }}{{ l[1:] }}{{ l[:2] }}{{ l[::2] }}{{ l[::-1] }}{{ s[0] }}{{ s[-5:] }}{{ s[::-1] }}{{ u[::-1] }}{{ u[-1] }}",
    "{{ d.b }}{{ d['b'] }}{{ d.c.z }}{{ d.missing }}|{{ l[10] }}|{{ s.missing }}|{{ n.attr }}",
    "{{ d.items is defined }}{{ d.items is callable }}{{ d['items'] is defined }}",
    "{{ 1 ~ 2 }}{{ 'a' ~ 2 * 3 }}{{ 1 + 2 ~ 3 }}",
    "{{ d.get('b') }}{{ d.get('q', 'dflt') }}{{ d.get('q') }}{{ d.keys() | list }}{{ d.values() | list }}",
    "{{ 'b' in d }}{{ 'q' in d }}{{ 'ell' in s }}{{ 5 in l }}{{ 'x' in zz }}",
    "{{ l.0 }}{{ msgs.1.content }}",
    # string methods
    "[{{ '  a b  '.strip() }}][{{ 'xxaxx'.strip('x') }}][{{ '  a'.lstrip() }}][{{ 'a  '.rstrip() }}][{{ '\\n\\nA\\n'.lstrip('\\n') }}]",
    "{{ 'a,b,,c'.split(',') }}{{ ' a  b c '.split() }}{{ 'a b c'.split(' ', 1) }}{{ 'a,b,c'.rsplit(',', 1) }}{{ ' a b '.split(None, 1) }}",
    "{{ s.startswith('He') }}{{ s.endswith(('x', 'ld')) }}{{ s.startswith('World', 6) }}",
    "{{ s.replace('l', 'L') }}{{ s.replace('l', 'L', 2) }}{{ s.upper() }}{{ s.lower() }}{{ 'hello wORLD x2y'.title() }}{{ 'hELLO'.capitalize() }}",
    "{{ s.find('o') }}{{ s.rfind('o') }}{{ s.find('z') }}{{ s.count('l') }}{{ u.find('\u4e16') }}",
    "{{ '-'.join(['a', 'b']) }}{{ 'a{}b{}'.format(1, 'x') }}{{ '{0}{name}'.format('p', name='q') }}",
    "{{ 'a\\nb\\r\\nc'.splitlines() }}{{ '42'.isdigit() }}{{ 'ab'.isalpha() }}{{ 'abc'.islower() }}{{ 'A1'.isupper() }}",
    "{{ '%s and %d and %.2f and %r and %5s|%-5s|%05d' % ('a', 3, 2.5, 'q', 'x', 'y', 42) }}{{ '%s' % n }}",
    # filters
    "{{ '  x  ' | trim }}|{{ 'xxhixx' | trim('x') }}|{{ zz | trim }}|{{ n | trim }}",
    "{{ l | length }}{{ s | length }}{{ d | count }}{{ zz | length }}{{ u | length }}",
    "{{ l | first }}{{ l | last }}{{ s | first }}{{ [] | first }}|{{ l | join(', ') }}|{{ people | join(',', attribute='name') }}",
    "{{ zz | default('dflt') }}|{{ e | default('dflt') }}|{{ e | default('dflt', true) }}|{{ n | d('x', boolean=true) }}|{{ x | default(5) }}",
    "{{ s | upper }}{{ s | lower }}{{ 'hello wORLD x2y (paren) a-b' | title }}{{ 'hELLO' | capitalize }}",
    "{{ s | replace('o', '0') }}{{ s | replace('l', '', 1) }}{{ l | list }}{{ 'ab' | list }}{{ d | list }}",
    "{{ x | string }}{{ n | string }}{{ l | string }}{{ '42' | int }}{{ '4.7' | int }}{{ 'x' | int }}{{ 'x' | int(7) }}{{ 3.9 | int }}{{ '0x1F' | int(base=16) }}",
    "{{ '1.5' | float }}{{ 'x' | float }}{{ 2 | float }}{{ -3 | abs }}{{ -2.5 | abs }}",
    "{{ 2.5 | round }}{{ 3.5 | round }}{{ 2.675 | round(2) }}{{ 2.1 | round(0, 'ceil') }}{{ 2.9 | round(method='floor') }}{{ 3 | round }}",
    "{{ d | items | list }}|{% for k, v in d | items %}{{ k }}{% endfor %}|{{ zz | items | list }}",
    "{{ people | map(attribute='name') | list }}{{ sl | map('upper') | list }}{{ people | map(attribute='zip', default='?') | list }}",
    "{{ l | select('odd') | list }}{{ l | reject('odd') | list }}{{ [0, 1, '', 'a', none] | select | list }}",
    "{{ people | selectattr('age', 'equalto', 30) | map(attribute='name') | list }}{{ people | rejectattr('age', '==', 30) | list }}{{ msgs | selectattr('tool_calls', 'defined') | list | length }}",
    "{{ sl | unique | list }}{{ sl | unique(case_sensitive=true) | list }}{{ [1, 2, 1] | unique | list }}",
    "{{ sl | sort }}{{ sl | sort(case_sensitive=true) }}{{ sl | sort(reverse=true) }}{{ people | sort(attribute='age') | map(attribute='name') | list }}{{ people | sort(attribute='age,name') | map(attribute='name') | list }}",
    "{{ l | reverse | list }}{{ s | reverse }}{{ d | dictsort }}{{ d | dictsort(reverse=true) }}",
    "{{ '<a href=\"x\">&\\'</a>' | e }}{{ '<b>' | safe }}{{ '<i>' | escape }}",
    "{{ 'a\\nb\\n\\nc' | indent }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent(2, blank=true) }}|{{ 'a\\nb' | indent('> ') }}",
    "{{ 'one two  three' | wordcount }}{{ 'ab' | center(6) }}|{{ 'abc' | center(6) }}|",
    "{{ l | sum }}{{ people | sum(attribute='age') }}{{ l | min }}{{ l | max }}{{ sl | min }}{{ sl | max }}{{ people | max(attribute='age') }}{{ [] | max }}",
    "{{ l | batch(2) | list }}{{ l | batch(2, 'x') | list }}",
    "{{ 'abcdefghijklmnopqrstuvwxyz' | truncate(10) }}|{{ 'hello world foo bar baz qux' | truncate(12, leeway=0) }}|{{ 'hello world' | truncate(5, true, leeway=0) }}",
    "{{ '%s-%s' | format('a', 'b') }}{{ '%(k)s' | format(k='v') }}",
    # tests
    "{{ n is none }}{{ x is number }}{{ y is number }}{{ t is number }}{{ x is integer }}{{ t is integer }}{{ y is float }}{{ t is boolean }}{{ x is boolean }}",
    "{{ s is string }}{{ l is string }}{{ d is mapping }}{{ l is mapping }}{{ l is iterable }}{{ s is iterable }}{{ x is iterable }}{{ zz is iterable }}{{ d is sequence }}{{ s is sequence }}",
    "{{ t is true }}{{ x is true }}{{ f is false }}{{ n is false }}{{ s is lower }}{{ 'abc' is lower }}{{ 'ABC' is upper }}",
    "{{ x is eq 1 }}{{ x is ne 1 }}{{ x is lt 2 }}{{ x is ge 1 }}{{ x is in l }}{{ x is sameas 1 }}{{ n is sameas none }}{{ range is callable }}{{ x is callable }}",
    "{{ 'upper' is filter }}{{ 'nofilter' is filter }}{{ 'odd' is test }}{{ zz is undefined }}",
    # tojson
    "{{ d | tojson }}|{{ l | tojson }}|{{ s | tojson }}|{{ n | tojson }}|{{ t | tojson }}|{{ y | tojson }}",
    "{{ d | tojson(indent=2) }}",
    "{{ msgs | tojson(indent=4) }}",
    "{{ fl | tojson }}{{ u | tojson }}{{ u | tojson(ensure_ascii=true) }}",
    "{{ d | tojson(sort_keys=true) }}{{ d | tojson(separators=(',', ':')) }}{{ d | tojson(indent=0) }}",
    "{{ 'quote\" back\\\\ nl\\n tab\\t ctl\\x01 del\\x7f \\u2028' | tojson }}",
    "{{ {'k': [], 'e': {}, 'n': [[]], 1: 2, none: 3, true: 4} | tojson(indent=2) }}",
    "{{ (1, 'a') | tojson }}{{ '' | tojson }}",
    # more edge cases
    "{{ '\\u00e9|\\x41|\\101|\\N{BULLET}|\\d|\\q|\\\\|\\'|\\\"' }}",
    "{{ 'caf\u00e9 \\\u00e9' }}",
    "{{ '{{' }}{{ '}}' }}{{ 'a' 'b' \"c\" }}",
    "{{ l[-2::-1] }}{{ l[5:0:-2] }}{{ s[2:-2] }}{{ s[100:] }}{{ l[-100:1] }}",
    "{{ l[1:2:0] }}",
    "{{ '\u00df' | upper }}{{ '\u0130' | lower | length }}{{ '\u00e9t\u00e9 \u00e0 paris' | title }}{{ '\u00e9t\u00e9'.title() }}{{ \"they're bill's\".title() }}",
    "{{ '%.3e' % 12345.678 }}|{{ '%g' % 0.00001234 }}|{{ '%g' % 123456789.0 }}|{{ '%G' % 1e-10 }}|{{ '%x %o %X %#x %#o' % (255, 8, 255, 255, 8) }}|{{ '%5.1f|%-8s|%+d|% d' % (2.25, 'ab', 5, 7) }}",
    "{{ '{:>8.2f}'.format(3.14159) }}|{{ '{:,}'.format(1234567) }}|{{ '{!r}'.format('a') }}|{{ '{:^7}'.format('ab') }}|{{ '{:08.3f}'.format(-3.14159) }}|{{ '{:x}'.format(255) }}|{{ '{0[a]} {0[c][z]}'.format(d, 2) }}|{{ '{:.2%}'.format(0.1234) }}|{{ '{:e}'.format(1234.5) }}|{{ '{:g}'.format(1e20) }}|{{ '{:.3}'.format(2.0) }}",
    "{% for v in d.values() %}{{ v }};{% endfor %}{% for k in d.keys() %}{{ k }}{% endfor %}",
    "{% for i in [1, 1, 2, 2, 1] %}{% if loop.changed(i) %}{{ i }}{% endif %}{% endfor %}|{% for a in [1] %}{% for b in [1] %}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}{{ loop.depth }}{% endfor %}",
    "{% macro greet(a, b='x') %}{{ a }}{{ b }}{% endmacro %}{{ greet(*['p', 'q']) }}{{ greet(**{'a': 'r'}) }}",
    "{% macro m(a, b=a) %}{{ a }}{{ b }}{% endmacro %}{{ m(1) }}",
    "{{ '  42  ' | int }}{{ '1_000' | int }}{{ '-7' | int }}{{ '+3.5e2' | float }}{{ '  -1.5 ' | float }}{{ 'inf' | float }}{{ true | int }}{{ none | int }}{{ '12abc' | int }}",
    "{{ 10 // 3.0 }}|{{ -7.5 % 2 }}|{{ 2 ** -1 }}|{{ 2 ** 0.5 }}|{{ 7.0 / 2 }}|{{ 2 ** 100 + 1 }}|{{ 10 ** 18 * 10 }}|{{ -0.0 }}|{{ 0.0 == -0.0 }}|{{ 1e100 }}|{{ 1.0e-10 }}|{{ 12345.6789e-3 }}",
    "{{ 1 == true }}|{{ 0.1 + 0.2 == 0.3 }}|{{ [1, 2] == [1, 2] }}|{{ (1, 2) == [1, 2] }}|{{ {'a': 1} == {'a': 1} }}|{{ none == none }}|{{ zz == zz }}|{{ zz == none }}|{{ 'a' != 'b' }}",
    "{{ x.__class__ }}|{{ s.__len__ }}|{{ d._private }}",
    "{{ (x ~ 'a') | upper if t }}|{{ msgs | selectattr('role', 'equalto', 'user') | list | last }}|{{ (msgs | last).content }}|{{ msgs[-1]['content'] | trim }}",
    "{% set ns = namespace(a=[]) %}{% for i in l %}{% set ns.a = ns.a + [i * 2] %}{% endfor %}{{ ns.a }}{{ ns.b is defined }}{{ ns.a is defined }}",
    "{{ dict(a=1, b=2) }}{{ namespace(d, x=2).b }}{{ range(3) | join(',') }}{{ 'x' * 3 }}{{ 5 | string | length }}{{ x is not string and x is number }}",
    "{{ d | length if d is mapping else 0 }}{{ ('a', 'b') | join }}{{ l | map('string') | join('-') }}{{ msgs | map(attribute='role') | unique | list }}",
    "{{ msgs | tojson(indent=2, separators=(', ', ': ')) }}",
    "{{ '\u00e9\U0001F600\x7f' | tojson(ensure_ascii=true) }}{{ [[], [[]], {}] | tojson(indent=1) }}{{ d | tojson(indent='\t') }}",
    "{% if not msgs %}empty{% elif msgs | length > 5 %}many{% else %}{{ msgs | length }}{% endif %}",
    "{%- for m in msgs -%}\n  {# comment in loop #}\n  [{{ m.role }}]\n{%- endfor -%}",
    "<{%- raw -%}  x  {%- endraw -%}>",
    "{% set x = x + 1 %}{{ x }}{% for i in l %}{% set x = x + i %}{{ x }},{% endfor %}{{ x }}",
    "{% for m in msgs %}{{ m.tool_calls[0].function.name if m.tool_calls is defined else '-' }}{% endfor %}",
    "{% for m in msgs %}{{ 'tool_calls' in m }}{{ m.tool_calls | length }}{% endfor %}",
    "{{ msgs[2].tool_calls[0].function.arguments | tojson }}|{{ msgs[2].tool_calls[0].function.arguments.items() | list }}",
    "{{ u | length }}{{ u[6] }}{{ u[-1] | tojson }}{{ u.find('\U0001F600') }}{{ u | upper }}{{ u | reverse }}{{ u.split() }}",
    "{{ 'a-b_c d' | replace('-', ' ') | title }}{{ '  x  ' | center(9) }}|{{ 'abc' | wordcount }}{{ 'Hello, world! 42' | wordcount }}",
    "{{ [3, 1, 2] | sort | first }}{{ ['b', 'a'] | sort | join }}{{ [[2, 'b'], [1, 'a']] | sort }}{{ [1, 'a'] | sort }}",
    "{{ l | max(attribute='x') }}",
    "{{ 'x' | int(base=2) }}{{ '101' | int(base=2) }}{{ 'ff' | int(base=16) }}{{ 12 | round(-1) }}{{ 1234.5678 | round(2) }}{{ -2.5 | round }}{{ 0.5 | round }}{{ 1.5 | round }}",
    "{% for i in range(10) %}{% if i is odd %}{% continue %}{% endif %}{% if i > 6 %}{% break %}{% endif %}{{ i }}{% else %}never{% endfor %}",
    "{% set a = [1, 2, 3] %}{% set b = a %}{{ a is sameas b }}{{ [1] is sameas [1] }}",
    # raise_exception and errors
    "{{ raise_exception('custom failure: ' ~ x) }}",
    "{% if l | length > 2 %}{{ raise_exception('Only 2 allowed!') }}{% endif %}",
    "{{ zz.attr }}",
    "{{ zz['k'] }}",
    "{{ d.missing.deeper }}",
    "{{ l[10].y }}",
    "{{ msgs[9]['role'] }}",
    "{{ 'a' + 1 }}",
    "{{ 'a' + n }}",
    "{{ 1 + 'a' }}",
    "{{ n + 1 }}",
    "{{ zz + 'a' }}",
    "{{ 'a' + zz }}",
    "{{ 1 < 'a' }}",
    "{{ 1 in n }}",
    "{{ 1 in 'abc' }}",
    "{{ 1 / 0 }}",
    "{{ zz() }}",
    "{{ s.nomethod() }}",
    "{{ l.append(4) }}",
    "{{ d.update({}) }}",
    "{{ zz | tojson }}",
    "{{ (x if f).attr }}",
    "{% for a, b in [[1]] %}{% endfor %}",
    "{% for i in n %}{% endfor %}",
    "{% set q = 1 %}{% set q.a = 2 %}",
    "{{ [] | first | upper }}|{{ ([] | first).x }}",
    # syntax errors (kind only)
    "{% if x %}unclosed",
    "{% for %}{% endfor %}",
    "{{ x | nosuchfilter }}",
    "{{ x is nosuchtest }}",
    "{% endif %}",
    "{{ x + }}",
    "{% if x %}{% endfor %}",
    "{% frobnicate %}",
    "{{ 'unterminated }}",
    "{% break %}",
    "{# never closed",
    # generation (transformers' AssistantTracker) is not registered in plain jinja2; tested separately in Java
]

def render(tpl, variables):
    try:
        return {"output": env.from_string(tpl).render(**variables)}
    except TemplateSyntaxError as e:
        return {"error": {"kind": type(e).__name__, "message": e.message, "syntax": True}}
    except SyntaxError as e:  # jinja2 leaves some checks (break outside a loop) to Python's compiler
        return {"error": {"kind": type(e).__name__, "message": str(e), "syntax": True}}
    except Exception as e:
        return {"error": {"kind": type(e).__name__, "message": str(e)}}

STRFTIME_FORMATS = ["%d %b %Y", "%-d %B %Y", "%A, %Y-%m-%d %H:%M:%S", "%a %j %U %W %I%p %y %e|%%",
                    "%c", "%D %F %T %R %r", "%G-W%V-%u %w", "%x %X", "%C %h %f", "%-m/%-d/%y %-H:%-M:%-S %-I %-j"]
STRFTIME_DATES = ["2025-03-14T09:26:53", "2024-01-01T00:00:00", "2023-12-31T23:59:59", "2021-01-03T12:00:00",
                  "2020-02-29T13:05:09", "1999-07-04T00:30:00"]


def fuzz_templates(count=400, seed=7):
    """Random layouts of text, whitespace and tags with every whitespace-control variant."""
    import random
    rnd = random.Random(seed)
    texts = ["a", " ", "  ", "\t", "\n", "\n\n", " \n", "\n  ", "x y", "\u00a0", "\u3000", "\r\n", "\n\t \n"]
    signs_l = ["", "-", "+"]
    signs_r = ["", "-", "+"]

    def tag(body):
        return "{%" + rnd.choice(signs_l) + " " + body + " " + rnd.choice(signs_r) + "%}"

    def seq(depth):
        out = []
        for _ in range(rnd.randint(1, 6)):
            r = rnd.random()
            if r < 0.45:
                out.append(rnd.choice(texts))
            elif r < 0.6:
                out.append("{{" + rnd.choice(["", "-", "+"]) + " " + rnd.choice(["x", "s", "'q'"]) + " "
                           + rnd.choice(["", "-"]) + "}}")
            elif r < 0.68:
                out.append("{#" + rnd.choice(["", "-", "+"]) + " c " + rnd.choice(["", "-", "+"]) + "#}")
            elif r < 0.74:
                out.append(tag("set q = " + str(rnd.randint(0, 9))))
            elif r < 0.78:
                raw = "{%" + rnd.choice(signs_l) + " raw " + rnd.choice(["", "-"]) + "%}"  # no "+%}" after raw
                out.append(raw + rnd.choice(texts) + "{{ r }}" + rnd.choice(texts) + tag("endraw"))
            elif depth < 3 and r < 0.9:
                out.append(tag(rnd.choice(["if t", "if f"])) + seq(depth + 1)
                           + (tag("else") + seq(depth + 1) if rnd.random() < 0.4 else "") + tag("endif"))
            elif depth < 3:
                out.append(tag("for i in [1, 2]") + seq(depth + 1) + tag("endfor"))
            else:
                out.append(rnd.choice(texts))
            if rnd.random() < 0.5:
                out.append(rnd.choice(texts))
        return "".join(out)

    return [seq(0) for _ in range(count)]


def strftime_cases():
    import datetime
    return [{"date": d, "format": f, "output": datetime.datetime.fromisoformat(d).strftime(f)}
            for d in STRFTIME_DATES for f in STRFTIME_FORMATS]


def float_cases():
    import random, struct
    rnd = random.Random(1234)
    vals = [5e-324, 1.7976931348623157e308, 0.1, 1 / 3, 2 / 3, 1e22, 1e21, 123456789012345680.0,
            9007199254740993.0, 0.000123, 1e-4, 9.999999999999999e15, 1e16, 1e15, 100.0, 1.5, -2.5e-10,
            3.141592653589793, 2.2250738585072014e-308, 4.35, 0.3, 1e-5, 1.2345e-5, 99999.99999, 5e-7]
    while len(vals) < 3000:
        if len(vals) % 2:
            bits = rnd.getrandbits(64)
            v = struct.unpack("<d", struct.pack("<Q", bits))[0]
            if v != v or v in (float("inf"), float("-inf")):
                continue
        else:
            v = round(rnd.uniform(-1e6, 1e6), rnd.randint(0, 9)) * 10 ** rnd.randint(-12, 12)
        vals.append(v)
    return [[v, repr(v)] for v in vals]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "jinja", "src",
                                                              "test", "resources", "jinja", "cases.json")
    cases = []
    for i, tpl in enumerate(CASES + fuzz_templates()):
        case = {"id": i, "template": tpl}
        case.update(render(tpl, V))
        cases.append(case)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"variables": V, "cases": cases, "strftime": strftime_cases(), "floats": float_cases()}, fh,
                  ensure_ascii=False, indent=1)
        fh.write("\n")
    print(f"{len(cases)} cases -> {out}")

if __name__ == "__main__":
    main()
