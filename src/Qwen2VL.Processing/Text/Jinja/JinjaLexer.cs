using System.Globalization;
using System.Text;

namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// Cuts template source into text and tag tokens, applying whitespace control the way Hugging Face configures Jinja
/// for chat templates: <c>trim_blocks</c> (the newline after a block or comment tag is dropped),
/// <c>lstrip_blocks</c> (spaces and tabs before a block or comment tag at the start of a line are dropped), the
/// <c>-</c>/<c>+</c> tag modifiers, and no trailing newline (<c>keep_trailing_newline=False</c>).
/// </summary>
internal sealed class JinjaLexer
{
    private static readonly string[] Operators =
    [
        "//", "**", "==", "!=", "<=", ">=",
        "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|",
    ];

    private readonly string _source;
    private readonly List<JinjaToken> _tokens = [];
    private readonly List<int> _lineStarts;
    private int _pos;

    // How the previous tag's closer affects the text that follows it.
    private bool _stripNextText;
    private bool _trimNextNewline;

    private JinjaLexer(string source)
    {
        _source = source;
        _lineStarts = FindLineStarts(source);
    }

    /// <summary>Lexes a whole template.</summary>
    public static List<JinjaToken> Tokenize(string source)
    {
        // Jinja normalises line endings and, by default, drops one trailing newline of the template.
        string normalized = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (normalized.EndsWith('\n'))
        {
            normalized = normalized[..^1];
        }

        var lexer = new JinjaLexer(normalized);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (_pos < _source.Length)
        {
            int tagStart = FindNextTag(_pos);
            int textEnd = tagStart < 0 ? _source.Length : tagStart;
            char kind = tagStart < 0 ? '\0' : _source[tagStart + 1];
            char modifier = tagStart >= 0 && tagStart + 2 < _source.Length ? _source[tagStart + 2] : '\0';
            EmitText(_pos, textEnd, kind, modifier);
            if (tagStart < 0)
            {
                _pos = _source.Length;
                break;
            }

            _pos = tagStart + 2;
            if (modifier is '-' or '+')
            {
                _pos++;
            }

            switch (kind)
            {
                case '#':
                    LexComment(tagStart);
                    break;
                case '{':
                    LexTag(tagStart, JinjaTokenKind.VariableBegin, JinjaTokenKind.VariableEnd, "}}");
                    break;
                default:
                    LexTag(tagStart, JinjaTokenKind.BlockBegin, JinjaTokenKind.BlockEnd, "%}");
                    if (IsRawBlockStart())
                    {
                        LexRawBody();
                    }

                    break;
            }
        }

        _tokens.Add(new JinjaToken(JinjaTokenKind.End, "", PositionOf(_source.Length)));
    }

    private int FindNextTag(int from)
    {
        for (int i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    // Emits the text in [start, end) after applying the previous closer's and the next opener's whitespace rules.
    private void EmitText(int start, int end, char nextKind, char nextModifier)
    {
        if (_stripNextText)
        {
            while (start < end && char.IsWhiteSpace(_source[start]))
            {
                start++;
            }
        }
        else if (_trimNextNewline && start < end && _source[start] == '\n')
        {
            start++;
        }

        _stripNextText = false;
        _trimNextNewline = false;

        if (nextModifier == '-')
        {
            while (end > start && char.IsWhiteSpace(_source[end - 1]))
            {
                end--;
            }
        }
        else if (nextKind is '%' or '#' && nextModifier != '+')
        {
            // lstrip_blocks: only when nothing but spaces and tabs precede the tag on its line.
            int lineStart = end;
            while (lineStart > start && _source[lineStart - 1] is ' ' or '\t')
            {
                lineStart--;
            }

            if (lineStart == 0 || _source[lineStart - 1] == '\n')
            {
                end = lineStart;
            }
        }

        if (end > start)
        {
            _tokens.Add(new JinjaToken(JinjaTokenKind.Text, _source[start..end], PositionOf(start)));
        }
    }

    private void LexComment(int tagStart)
    {
        int close = _source.IndexOf("#}", _pos, StringComparison.Ordinal);
        if (close < 0)
        {
            throw new ChatTemplateSyntaxException("comment '{#' is never closed with '#}'", PositionOf(tagStart));
        }

        SetCloserEffects(close > _pos && _source[close - 1] == '-', isBlock: true);
        _pos = close + 2;
    }

    private void LexTag(int tagStart, JinjaTokenKind begin, JinjaTokenKind endKind, string closer)
    {
        _tokens.Add(new JinjaToken(begin, _source.Substring(tagStart, 2), PositionOf(tagStart)));
        int depth = 0;
        while (true)
        {
            SkipWhitespace();
            if (_pos >= _source.Length)
            {
                throw new ChatTemplateSyntaxException($"tag is never closed with '{closer}'", PositionOf(tagStart));
            }

            if (depth == 0)
            {
                bool minus = _source[_pos] is '-' or '+' && At(_pos + 1, closer);
                if (minus || At(_pos, closer))
                {
                    int closerStart = minus ? _pos + 1 : _pos;
                    _tokens.Add(new JinjaToken(endKind, closer, PositionOf(closerStart)));
                    SetCloserEffects(minus && _source[_pos] == '-', isBlock: endKind == JinjaTokenKind.BlockEnd);
                    _pos = closerStart + 2;
                    return;
                }
            }

            JinjaToken token = LexTagToken();
            if (token.Kind == JinjaTokenKind.Operator)
            {
                depth += token.Value switch
                {
                    "(" or "[" or "{" => 1,
                    ")" or "]" or "}" => -1,
                    _ => 0,
                };
            }

            _tokens.Add(token);
        }
    }

    private void SetCloserEffects(bool strip, bool isBlock)
    {
        _stripNextText = strip;
        _trimNextNewline = !strip && isBlock;
    }

    private JinjaToken LexTagToken()
    {
        int start = _pos;
        char c = _source[_pos];
        if (char.IsAsciiLetter(c) || c == '_')
        {
            while (_pos < _source.Length && (char.IsAsciiLetterOrDigit(_source[_pos]) || _source[_pos] == '_'))
            {
                _pos++;
            }

            return new JinjaToken(JinjaTokenKind.Name, _source[start.._pos], PositionOf(start));
        }

        if (char.IsAsciiDigit(c))
        {
            return LexNumber(start);
        }

        if (c is '\'' or '"')
        {
            return new JinjaToken(JinjaTokenKind.String, LexString(c), PositionOf(start));
        }

        foreach (string op in Operators)
        {
            if (At(_pos, op))
            {
                _pos += op.Length;
                return new JinjaToken(JinjaTokenKind.Operator, op, PositionOf(start));
            }
        }

        throw new ChatTemplateSyntaxException($"unexpected character '{c}' in a tag", PositionOf(start));
    }

    private JinjaToken LexNumber(int start)
    {
        bool isFloat = false;
        while (_pos < _source.Length && (char.IsAsciiDigit(_source[_pos]) || _source[_pos] == '_'))
        {
            _pos++;
        }

        if (_pos + 1 < _source.Length && _source[_pos] == '.' && char.IsAsciiDigit(_source[_pos + 1]))
        {
            isFloat = true;
            _pos++;
            while (_pos < _source.Length && (char.IsAsciiDigit(_source[_pos]) || _source[_pos] == '_'))
            {
                _pos++;
            }
        }

        if (_pos < _source.Length && _source[_pos] is 'e' or 'E')
        {
            int save = _pos++;
            if (_pos < _source.Length && _source[_pos] is '+' or '-')
            {
                _pos++;
            }

            if (_pos < _source.Length && char.IsAsciiDigit(_source[_pos]))
            {
                isFloat = true;
                while (_pos < _source.Length && char.IsAsciiDigit(_source[_pos]))
                {
                    _pos++;
                }
            }
            else
            {
                _pos = save;
            }
        }

        string text = _source[start.._pos].Replace("_", "", StringComparison.Ordinal);
        return new JinjaToken(isFloat ? JinjaTokenKind.Float : JinjaTokenKind.Integer, text, PositionOf(start));
    }

    // Python string literal escapes: \n \t \r \\ \' \" \xHH \uHHHH \UHHHHHHHH; unknown escapes stay as written.
    private string LexString(char quote)
    {
        int start = _pos++;
        var value = new StringBuilder();
        while (true)
        {
            if (_pos >= _source.Length)
            {
                throw new ChatTemplateSyntaxException("string literal is never closed", PositionOf(start));
            }

            char c = _source[_pos++];
            if (c == quote)
            {
                return value.ToString();
            }

            if (c != '\\' || _pos >= _source.Length)
            {
                value.Append(c);
                continue;
            }

            char e = _source[_pos++];
            switch (e)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case '0': value.Append('\0'); break;
                case '\\' or '\'' or '"': value.Append(e); break;
                case '\n': break;
                case 'x': value.Append(ReadHexEscape(2)); break;
                case 'u': value.Append(ReadHexEscape(4)); break;
                case 'U': value.Append(ReadHexEscape(8)); break;
                default: value.Append('\\').Append(e); break;
            }
        }
    }

    private string ReadHexEscape(int digits)
    {
        if (_pos + digits > _source.Length
            || !int.TryParse(_source.AsSpan(_pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int cp))
        {
            throw new ChatTemplateSyntaxException("malformed \\x, \\u or \\U escape in a string literal", PositionOf(_pos));
        }

        _pos += digits;
        return char.ConvertFromUtf32(cp);
    }

    private bool IsRawBlockStart() =>
        _tokens.Count >= 3 && _tokens[^1].Kind == JinjaTokenKind.BlockEnd && _tokens[^2].IsName("raw")
        && _tokens[^3].Kind == JinjaTokenKind.BlockBegin;

    // {% raw %}...{% endraw %}: the body is text, tags in it are not interpreted.
    private void LexRawBody()
    {
        _tokens.RemoveRange(_tokens.Count - 3, 3);
        int search = _pos;
        while (true)
        {
            int tag = _source.IndexOf("{%", search, StringComparison.Ordinal);
            if (tag < 0)
            {
                throw new ChatTemplateSyntaxException("'raw' block is never closed with 'endraw'", PositionOf(_pos));
            }

            int p = tag + 2;
            char modifier = p < _source.Length ? _source[p] : '\0';
            if (modifier is '-' or '+')
            {
                p++;
            }

            while (p < _source.Length && char.IsWhiteSpace(_source[p]))
            {
                p++;
            }

            if (!At(p, "endraw"))
            {
                search = tag + 2;
                continue;
            }

            EmitText(_pos, tag, '%', modifier);
            _pos = p + "endraw".Length;
            SkipWhitespace();
            bool minus = _pos < _source.Length && _source[_pos] == '-';
            if (minus)
            {
                _pos++;
            }

            if (!At(_pos, "%}"))
            {
                throw new ChatTemplateSyntaxException("expected '%}' after 'endraw'", PositionOf(_pos));
            }

            SetCloserEffects(minus, isBlock: true);
            _pos += 2;
            return;
        }
    }

    private void SkipWhitespace()
    {
        while (_pos < _source.Length && char.IsWhiteSpace(_source[_pos]))
        {
            _pos++;
        }
    }

    private bool At(int position, string text) =>
        position + text.Length <= _source.Length && string.CompareOrdinal(_source, position, text, 0, text.Length) == 0;

    private SourcePosition PositionOf(int offset)
    {
        int index = _lineStarts.BinarySearch(offset);
        int line = index >= 0 ? index : ~index - 1;
        return new SourcePosition(line + 1, offset - _lineStarts[line] + 1);
    }

    private static List<int> FindLineStarts(string source)
    {
        var starts = new List<int> { 0 };
        for (int i = source.IndexOf('\n'); i >= 0; i = source.IndexOf('\n', i + 1))
        {
            starts.Add(i + 1);
        }

        return starts;
    }
}
