using System.Globalization;

namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// Recursive-descent parser from lexed tokens to a syntax tree, following Jinja's grammar and operator precedence
/// (lowest first): conditional, <c>or</c>, <c>and</c>, <c>not</c>, comparisons and <c>in</c>, <c>~</c>,
/// <c>+ -</c>, <c>* / // %</c>, <c>**</c>, unary <c>- +</c>, then filters, tests and postfix access.
/// </summary>
internal sealed class JinjaParser
{
    private static readonly HashSet<string> CompareOperators = ["==", "!=", "<", "<=", ">", ">="];

    private readonly List<JinjaToken> _tokens;
    private int _index;

    private JinjaParser(List<JinjaToken> tokens) => _tokens = tokens;

    private JinjaToken Current => _tokens[_index];

    /// <summary>Parses a template source into its top-level nodes.</summary>
    public static IReadOnlyList<Node> Parse(string source)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(source));
        List<Node> body = parser.ParseBody(out JinjaToken terminator);
        if (terminator.Kind != JinjaTokenKind.End)
        {
            throw new ChatTemplateSyntaxException($"unexpected '{{% {terminator.Value} %}}' with no open block", terminator.Position);
        }

        return body;
    }

    // Parses nodes until end of input or a block tag whose keyword is in endKeywords; returns that keyword's token
    // (the parser is left just after the keyword, inside the tag).
    private List<Node> ParseBody(out JinjaToken terminator, params string[] endKeywords)
    {
        var nodes = new List<Node>();
        while (true)
        {
            JinjaToken token = Next();
            switch (token.Kind)
            {
                case JinjaTokenKind.End:
                    if (endKeywords.Length > 0)
                    {
                        throw new ChatTemplateSyntaxException(
                            $"unexpected end of template; expected {string.Join(" or ", endKeywords.Select(k => $"'{{% {k} %}}'"))}",
                            token.Position);
                    }

                    terminator = token;
                    return nodes;
                case JinjaTokenKind.Text:
                    nodes.Add(new TextNode(token.Value, token.Position));
                    break;
                case JinjaTokenKind.VariableBegin:
                    Expr value = ParseTupleOrExpression();
                    Expect(JinjaTokenKind.VariableEnd, "}}");
                    nodes.Add(new OutputNode(value, token.Position));
                    break;
                case JinjaTokenKind.BlockBegin:
                    JinjaToken keyword = Next();
                    if (keyword.Kind != JinjaTokenKind.Name)
                    {
                        throw new ChatTemplateSyntaxException($"expected a statement name after '{{%', found {keyword}", keyword.Position);
                    }

                    if (endKeywords.Contains(keyword.Value) || (endKeywords.Length == 0 && IsClosingKeyword(keyword.Value)))
                    {
                        terminator = keyword;
                        return nodes;
                    }

                    nodes.Add(ParseStatement(keyword));
                    break;
                default:
                    throw new ChatTemplateSyntaxException($"unexpected {token}", token.Position);
            }
        }
    }

    private static bool IsClosingKeyword(string keyword) =>
        keyword is "elif" or "else" or "endif" or "endfor" or "endset" or "endmacro" or "endfilter" or "endgeneration";

    private Node ParseStatement(JinjaToken keyword)
    {
        switch (keyword.Value)
        {
            case "if":
                return ParseIf(keyword);
            case "for":
                return ParseFor(keyword);
            case "set":
                return ParseSet(keyword);
            case "macro":
                return ParseMacro(keyword);
            case "filter":
                return ParseFilterBlock(keyword);
            case "break":
                Expect(JinjaTokenKind.BlockEnd, "%}");
                return new BreakNode(keyword.Position);
            case "continue":
                Expect(JinjaTokenKind.BlockEnd, "%}");
                return new ContinueNode(keyword.Position);
            case "generation":
                Expect(JinjaTokenKind.BlockEnd, "%}");
                List<Node> body = ParseBody(out _, "endgeneration");
                Expect(JinjaTokenKind.BlockEnd, "%}");
                return new GroupNode(body, keyword.Position);
            default:
                throw new ChatTemplateSyntaxException(
                    $"unsupported statement '{{% {keyword.Value} %}}' (supported: if, for, set, macro, filter, break, continue, generation, raw)",
                    keyword.Position);
        }
    }

    private IfNode ParseIf(JinjaToken keyword)
    {
        var branches = new List<(Expr, IReadOnlyList<Node>)>();
        IReadOnlyList<Node> elseBody = [];
        Expr condition = ParseExpression();
        while (true)
        {
            Expect(JinjaTokenKind.BlockEnd, "%}");
            List<Node> body = ParseBody(out JinjaToken end, "elif", "else", "endif");
            branches.Add((condition, body));
            if (end.Value == "elif")
            {
                condition = ParseExpression();
                continue;
            }

            if (end.Value == "else")
            {
                Expect(JinjaTokenKind.BlockEnd, "%}");
                elseBody = ParseBody(out _, "endif");
            }

            Expect(JinjaTokenKind.BlockEnd, "%}");
            return new IfNode(branches, elseBody, keyword.Position);
        }
    }

    private ForNode ParseFor(JinjaToken keyword)
    {
        bool parenthesised = Current.IsOperator("(");
        if (parenthesised)
        {
            Next();
        }

        var targets = new List<string> { ExpectName() };
        while (Current.IsOperator(","))
        {
            Next();
            targets.Add(ExpectName());
        }

        if (parenthesised)
        {
            ExpectOperator(")");
        }
        JinjaToken inToken = Next();
        if (!inToken.IsName("in"))
        {
            throw new ChatTemplateSyntaxException($"expected 'in' in for loop, found {inToken}", inToken.Position);
        }

        Expr iterable = ParseOr(allowConditional: false);
        Expr? filter = null;
        if (Current.IsName("if"))
        {
            Next();
            filter = ParseExpression();
        }

        if (Current.IsName("recursive"))
        {
            throw new ChatTemplateSyntaxException("unsupported 'recursive' for loop", Current.Position);
        }

        Expect(JinjaTokenKind.BlockEnd, "%}");
        List<Node> body = ParseBody(out JinjaToken end, "else", "endfor");
        IReadOnlyList<Node> elseBody = [];
        if (end.Value == "else")
        {
            Expect(JinjaTokenKind.BlockEnd, "%}");
            elseBody = ParseBody(out _, "endfor");
        }

        Expect(JinjaTokenKind.BlockEnd, "%}");
        return new ForNode(targets, iterable, filter, body, elseBody, keyword.Position);
    }

    private Node ParseSet(JinjaToken keyword)
    {
        string first = ExpectName();
        if (Current.IsOperator("."))
        {
            Next();
            string attribute = ExpectName();
            ExpectOperator("=");
            Expr value = ParseTupleOrExpression();
            Expect(JinjaTokenKind.BlockEnd, "%}");
            return new SetNode([first], attribute, value, keyword.Position);
        }

        var targets = new List<string> { first };
        while (Current.IsOperator(","))
        {
            Next();
            targets.Add(ExpectName());
        }

        if (Current.Kind == JinjaTokenKind.BlockEnd && targets.Count == 1)
        {
            Next();
            List<Node> body = ParseBody(out _, "endset");
            Expect(JinjaTokenKind.BlockEnd, "%}");
            return new SetBlockNode(first, body, keyword.Position);
        }

        ExpectOperator("=");
        Expr assigned = ParseTupleOrExpression();
        Expect(JinjaTokenKind.BlockEnd, "%}");
        return new SetNode(targets, null, assigned, keyword.Position);
    }

    private MacroNode ParseMacro(JinjaToken keyword)
    {
        string name = ExpectName();
        ExpectOperator("(");
        var parameters = new List<(string, Expr?)>();
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                ExpectOperator(",");
            }

            string parameter = ExpectName();
            Expr? defaultValue = null;
            if (Current.IsOperator("="))
            {
                Next();
                defaultValue = ParseExpression();
            }

            parameters.Add((parameter, defaultValue));
        }

        Next();
        Expect(JinjaTokenKind.BlockEnd, "%}");
        List<Node> body = ParseBody(out _, "endmacro");
        Expect(JinjaTokenKind.BlockEnd, "%}");
        return new MacroNode(name, parameters, body, keyword.Position);
    }

    private FilterBlockNode ParseFilterBlock(JinjaToken keyword)
    {
        string filter = ExpectName();
        Arguments arguments = Current.IsOperator("(") ? ParseCallArguments() : Arguments.None;
        Expect(JinjaTokenKind.BlockEnd, "%}");
        List<Node> body = ParseBody(out _, "endfilter");
        Expect(JinjaTokenKind.BlockEnd, "%}");
        return new FilterBlockNode(filter, arguments, body, keyword.Position);
    }

    // An expression, or a bare tuple "a, b" (as allowed in {{ }} and set).
    private Expr ParseTupleOrExpression()
    {
        SourcePosition position = Current.Position;
        Expr first = ParseExpression();
        if (!Current.IsOperator(","))
        {
            return first;
        }

        var items = new List<Expr> { first };
        while (Current.IsOperator(","))
        {
            Next();
            items.Add(ParseExpression());
        }

        return new TupleExpr(items, position);
    }

    private Expr ParseExpression() => ParseOr(allowConditional: true);

    private Expr ParseOr(bool allowConditional)
    {
        Expr left = ParseAnd();
        while (Current.IsName("or"))
        {
            JinjaToken op = Next();
            left = new BinaryExpr("or", left, ParseAnd(), op.Position);
        }

        if (allowConditional && Current.IsName("if"))
        {
            JinjaToken ifToken = Next();
            Expr condition = ParseOr(allowConditional: false);
            Expr? elseValue = null;
            if (Current.IsName("else"))
            {
                Next();
                elseValue = ParseExpression();
            }

            return new ConditionalExpr(condition, left, elseValue, ifToken.Position);
        }

        return left;
    }

    private Expr ParseAnd()
    {
        Expr left = ParseNot();
        while (Current.IsName("and"))
        {
            JinjaToken op = Next();
            left = new BinaryExpr("and", left, ParseNot(), op.Position);
        }

        return left;
    }

    private Expr ParseNot()
    {
        if (Current.IsName("not"))
        {
            JinjaToken op = Next();
            return new UnaryExpr("not", ParseNot(), op.Position);
        }

        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        SourcePosition position = Current.Position;
        Expr first = ParseConcat();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            if (Current.Kind == JinjaTokenKind.Operator && CompareOperators.Contains(Current.Value))
            {
                string op = Next().Value;
                rest.Add((op, ParseConcat()));
            }
            else if (Current.IsName("in"))
            {
                Next();
                rest.Add(("in", ParseConcat()));
            }
            else if (Current.IsName("not") && Peek(1).IsName("in"))
            {
                Next();
                Next();
                rest.Add(("not in", ParseConcat()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new CompareExpr(first, rest, position);
    }

    private Expr ParseConcat()
    {
        Expr left = ParseAdditive();
        while (Current.IsOperator("~"))
        {
            JinjaToken op = Next();
            left = new BinaryExpr("~", left, ParseAdditive(), op.Position);
        }

        return left;
    }

    private Expr ParseAdditive()
    {
        Expr left = ParseMultiplicative();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            JinjaToken op = Next();
            left = new BinaryExpr(op.Value, left, ParseMultiplicative(), op.Position);
        }

        return left;
    }

    private Expr ParseMultiplicative()
    {
        Expr left = ParsePower();
        while (Current.IsOperator("*") || Current.IsOperator("/") || Current.IsOperator("//") || Current.IsOperator("%"))
        {
            JinjaToken op = Next();
            left = new BinaryExpr(op.Value, left, ParsePower(), op.Position);
        }

        return left;
    }

    private Expr ParsePower()
    {
        Expr left = ParseUnary();
        while (Current.IsOperator("**"))
        {
            JinjaToken op = Next();
            left = new BinaryExpr("**", left, ParseUnary(), op.Position);
        }

        return left;
    }

    // Like Jinja, "-x|f" is "(-x)|f": the operand of a unary sign takes no filters of its own.
    private Expr ParseUnary(bool withFilters = true)
    {
        Expr value;
        if (Current.IsOperator("-") || Current.IsOperator("+"))
        {
            JinjaToken op = Next();
            value = new UnaryExpr(op.Value, ParseUnary(withFilters: false), op.Position);
        }
        else
        {
            value = ParsePostfix(ParsePrimary());
        }

        return withFilters ? ParseFiltersAndTests(value) : value;
    }

    private Expr ParseFiltersAndTests(Expr value)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                Next();
                JinjaToken name = ExpectNameToken();
                Arguments arguments = Current.IsOperator("(") ? ParseCallArguments() : Arguments.None;
                value = new FilterExpr(value, name.Value, arguments, name.Position);
            }
            else if (Current.IsName("is"))
            {
                Next();
                bool negated = false;
                if (Current.IsName("not"))
                {
                    Next();
                    negated = true;
                }

                JinjaToken name = ExpectNameToken();
                Arguments arguments = Arguments.None;
                if (Current.IsOperator("("))
                {
                    arguments = ParseCallArguments();
                }
                else if (StartsTestArgument(Current))
                {
                    arguments = new Arguments([ParsePostfix(ParsePrimary())], []);
                }

                value = new TestExpr(value, name.Value, arguments, negated, name.Position);
            }
            else
            {
                return value;
            }
        }
    }

    // "x is divisibleby 3", "x is sameas none": a test takes one bare argument when one follows.
    private static bool StartsTestArgument(JinjaToken token) => token.Kind switch
    {
        JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float => true,
        JinjaTokenKind.Name => token.Value is not ("and" or "or" or "else" or "if" or "in" or "not" or "is"),
        JinjaTokenKind.Operator => token.Value is "[" or "{",
        _ => false,
    };

    private Expr ParsePostfix(Expr value)
    {
        while (true)
        {
            if (Current.IsOperator("."))
            {
                Next();
                JinjaToken name = Next();
                if (name.Kind == JinjaTokenKind.Integer)
                {
                    value = new ItemExpr(value, new LiteralExpr(long.Parse(name.Value, CultureInfo.InvariantCulture), name.Position), name.Position);
                }
                else if (name.Kind == JinjaTokenKind.Name)
                {
                    value = new AttributeExpr(value, name.Value, name.Position);
                }
                else
                {
                    throw new ChatTemplateSyntaxException($"expected an attribute name after '.', found {name}", name.Position);
                }
            }
            else if (Current.IsOperator("["))
            {
                value = ParseSubscript(value);
            }
            else if (Current.IsOperator("("))
            {
                SourcePosition position = Current.Position;
                value = new CallExpr(value, ParseCallArguments(), position);
            }
            else
            {
                return value;
            }
        }
    }

    private Expr ParseSubscript(Expr target)
    {
        JinjaToken open = Next();
        Expr?[] parts = new Expr?[3];
        int part = 0;
        bool isSlice = false;
        while (!Current.IsOperator("]"))
        {
            if (Current.IsOperator(":"))
            {
                Next();
                isSlice = true;
                if (++part > 2)
                {
                    throw new ChatTemplateSyntaxException("a slice takes at most start:stop:step", open.Position);
                }

                continue;
            }

            if (parts[part] is not null)
            {
                throw new ChatTemplateSyntaxException($"unexpected {Current} in subscript", Current.Position);
            }

            parts[part] = ParseExpression();
        }

        Next();
        if (isSlice)
        {
            return new SliceExpr(target, parts[0], parts[1], parts[2], open.Position);
        }

        return new ItemExpr(target, parts[0] ?? throw new ChatTemplateSyntaxException("empty subscript '[]'", open.Position), open.Position);
    }

    private Arguments ParseCallArguments()
    {
        ExpectOperator("(");
        var positional = new List<Expr>();
        var keywords = new List<(string, Expr)>();
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + keywords.Count > 0)
            {
                ExpectOperator(",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (Current.Kind == JinjaTokenKind.Name && Peek(1).IsOperator("="))
            {
                string name = Next().Value;
                Next();
                keywords.Add((name, ParseExpression()));
            }
            else if (Current.IsOperator("*") || Current.IsOperator("**"))
            {
                throw new ChatTemplateSyntaxException("unsupported *args/**kwargs in a call", Current.Position);
            }
            else
            {
                if (keywords.Count > 0)
                {
                    throw new ChatTemplateSyntaxException("positional argument after a keyword argument", Current.Position);
                }

                positional.Add(ParseExpression());
            }
        }

        Next();
        return new Arguments(positional, keywords);
    }

    private Expr ParsePrimary()
    {
        JinjaToken token = Next();
        switch (token.Kind)
        {
            case JinjaTokenKind.String:
                // Adjacent string literals concatenate, as in Python.
                string text = token.Value;
                while (Current.Kind == JinjaTokenKind.String)
                {
                    text += Next().Value;
                }

                return new LiteralExpr(text, token.Position);
            case JinjaTokenKind.Integer:
                return new LiteralExpr(long.Parse(token.Value, CultureInfo.InvariantCulture), token.Position);
            case JinjaTokenKind.Float:
                return new LiteralExpr(double.Parse(token.Value, CultureInfo.InvariantCulture), token.Position);
            case JinjaTokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpr(true, token.Position),
                    "false" or "False" => new LiteralExpr(false, token.Position),
                    "none" or "None" => new LiteralExpr(null, token.Position),
                    _ => new NameExpr(token.Value, token.Position),
                };
            case JinjaTokenKind.Operator when token.Value == "(":
                return ParseParenthesised(token);
            case JinjaTokenKind.Operator when token.Value == "[":
                var items = new List<Expr>();
                while (!Current.IsOperator("]"))
                {
                    if (items.Count > 0)
                    {
                        ExpectOperator(",");
                        if (Current.IsOperator("]"))
                        {
                            break;
                        }
                    }

                    items.Add(ParseExpression());
                }

                Next();
                return new ListExpr(items, token.Position);
            case JinjaTokenKind.Operator when token.Value == "{":
                var entries = new List<(Expr, Expr)>();
                while (!Current.IsOperator("}"))
                {
                    if (entries.Count > 0)
                    {
                        ExpectOperator(",");
                        if (Current.IsOperator("}"))
                        {
                            break;
                        }
                    }

                    Expr key = ParseExpression();
                    ExpectOperator(":");
                    entries.Add((key, ParseExpression()));
                }

                Next();
                return new DictExpr(entries, token.Position);
            default:
                throw new ChatTemplateSyntaxException($"unexpected {token} in an expression", token.Position);
        }
    }

    private Expr ParseParenthesised(JinjaToken open)
    {
        if (Current.IsOperator(")"))
        {
            Next();
            return new TupleExpr([], open.Position);
        }

        Expr first = ParseExpression();
        if (Current.IsOperator(")"))
        {
            Next();
            return first;
        }

        var items = new List<Expr> { first };
        while (Current.IsOperator(","))
        {
            Next();
            if (Current.IsOperator(")"))
            {
                break;
            }

            items.Add(ParseExpression());
        }

        ExpectOperator(")");
        return new TupleExpr(items, open.Position);
    }

    private JinjaToken Next()
    {
        JinjaToken token = _tokens[_index];
        if (_index < _tokens.Count - 1)
        {
            _index++;
        }

        return token;
    }

    private JinjaToken Peek(int offset) => _tokens[Math.Min(_index + offset, _tokens.Count - 1)];

    private void Expect(JinjaTokenKind kind, string what)
    {
        JinjaToken token = Next();
        if (token.Kind != kind)
        {
            throw new ChatTemplateSyntaxException($"expected '{what}', found {token}", token.Position);
        }
    }

    private void ExpectOperator(string op)
    {
        JinjaToken token = Next();
        if (!token.IsOperator(op))
        {
            throw new ChatTemplateSyntaxException($"expected '{op}', found {token}", token.Position);
        }
    }

    private string ExpectName() => ExpectNameToken().Value;

    private JinjaToken ExpectNameToken()
    {
        JinjaToken token = Next();
        if (token.Kind != JinjaTokenKind.Name)
        {
            throw new ChatTemplateSyntaxException($"expected a name, found {token}", token.Position);
        }

        return token;
    }
}
