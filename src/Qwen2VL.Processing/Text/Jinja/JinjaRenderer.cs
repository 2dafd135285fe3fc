using System.Text;

namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// Evaluates a parsed template against variables. Scoping follows Jinja: <c>if</c> shares its scope, each for-loop
/// iteration gets a fresh scope (assignments inside do not survive it; that is what <c>namespace()</c> is for), and a
/// macro sees the template's top-level variables plus its parameters. One instance renders once.
/// </summary>
internal sealed class JinjaRenderer
{
    private readonly Dictionary<string, object?> _globals;
    private List<Dictionary<string, object?>> _scopes;
    private StringBuilder _output = new();

    public JinjaRenderer(Dictionary<string, object?> variables)
    {
        _globals = variables;
        _scopes = [new Dictionary<string, object?>(StringComparer.Ordinal)];
    }

    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    public string Render(IReadOnlyList<Node> nodes)
    {
        Flow flow = Execute(nodes);
        if (flow != Flow.Normal)
        {
            throw new ChatTemplateRenderException($"'{(flow == Flow.Break ? "break" : "continue")}' outside a for loop", nodes[0].Position);
        }

        return _output.ToString();
    }

    private Flow Execute(IReadOnlyList<Node> nodes)
    {
        foreach (Node node in nodes)
        {
            Flow flow = Execute(node);
            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }

    private Flow Execute(Node node)
    {
        switch (node)
        {
            case TextNode text:
                _output.Append(text.Text);
                return Flow.Normal;
            case OutputNode output:
                _output.Append(PythonSemantics.ToStr(Evaluate(output.Value)));
                return Flow.Normal;
            case IfNode ifNode:
                foreach ((Expr condition, IReadOnlyList<Node> body) in ifNode.Branches)
                {
                    if (PythonSemantics.IsTruthy(Evaluate(condition)))
                    {
                        return Execute(body);
                    }
                }

                return Execute(ifNode.Else);
            case ForNode forNode:
                return ExecuteFor(forNode);
            case SetNode set:
                ExecuteSet(set);
                return Flow.Normal;
            case SetBlockNode setBlock:
                _scopes[^1][setBlock.Name] = Capture(setBlock.Body);
                return Flow.Normal;
            case MacroNode macro:
                _scopes[^1][macro.Name] = new JinjaMacro(macro, _scopes[0]);
                return Flow.Normal;
            case FilterBlockNode filterBlock:
                string captured = Capture(filterBlock.Body);
                var arguments = EvaluateArguments(filterBlock.Filter, filterBlock.Arguments, filterBlock.Position);
                _output.Append(PythonSemantics.ToStr(JinjaFilters.Apply(this, filterBlock.Filter, captured, arguments)));
                return Flow.Normal;
            case BreakNode:
                return Flow.Break;
            case ContinueNode:
                return Flow.Continue;
            case GroupNode group:
                return Execute(group.Body);
            default:
                throw new ChatTemplateRenderException($"unsupported node {node.GetType().Name}", node.Position);
        }
    }

    private Flow ExecuteFor(ForNode node)
    {
        IReadOnlyList<object?> items = PythonSemantics.Iterate(Evaluate(node.Iterable), node.Iterable.Position);
        if (node.Filter is not null)
        {
            var kept = new List<object?>();
            foreach (object? item in items)
            {
                _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal));
                Bind(node.Targets, item, node.Position);
                bool keep = PythonSemantics.IsTruthy(Evaluate(node.Filter));
                _scopes.RemoveAt(_scopes.Count - 1);
                if (keep)
                {
                    kept.Add(item);
                }
            }

            items = kept;
        }

        if (items.Count == 0)
        {
            return Execute(node.Else);
        }

        var loop = new LoopInfo(items);
        for (int i = 0; i < items.Count; i++)
        {
            loop.Index0 = i;
            _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal) { ["loop"] = loop });
            Bind(node.Targets, items[i], node.Position);
            Flow flow = Execute(node.Body);
            _scopes.RemoveAt(_scopes.Count - 1);
            if (flow == Flow.Break)
            {
                break;
            }
        }

        return Flow.Normal;
    }

    private void ExecuteSet(SetNode set)
    {
        object? value = Evaluate(set.Value);
        if (set.Attribute is null)
        {
            Bind(set.Targets, value, set.Position);
            return;
        }

        if (Lookup(set.Targets[0]) is not JinjaNamespace ns)
        {
            throw new ChatTemplateRenderException(
                $"cannot set '{set.Targets[0]}.{set.Attribute}': only namespace() objects take attribute assignment", set.Position);
        }

        ns.Attributes[set.Attribute] = value;
    }

    private void Bind(IReadOnlyList<string> targets, object? value, SourcePosition position)
    {
        Dictionary<string, object?> scope = _scopes[^1];
        if (targets.Count == 1)
        {
            scope[targets[0]] = value;
            return;
        }

        IReadOnlyList<object?> items = PythonSemantics.Iterate(value, position);
        if (items.Count != targets.Count)
        {
            throw new ChatTemplateRenderException($"cannot unpack {items.Count} values into {targets.Count} names", position);
        }

        for (int i = 0; i < targets.Count; i++)
        {
            scope[targets[i]] = items[i];
        }
    }

    private string Capture(IReadOnlyList<Node> body)
    {
        StringBuilder saved = _output;
        _output = new StringBuilder();
        try
        {
            Execute(body);
            return _output.ToString();
        }
        finally
        {
            _output = saved;
        }
    }

    /// <summary>Renders a macro body with its own scopes and returns the text.</summary>
    internal string RenderMacro(IReadOnlyList<Node> body, Dictionary<string, object?> topLevel, Dictionary<string, object?> parameters)
    {
        List<Dictionary<string, object?>> saved = _scopes;
        _scopes = [topLevel, parameters];
        try
        {
            return Capture(body);
        }
        finally
        {
            _scopes = saved;
        }
    }

    private object? Lookup(string name)
    {
        for (int i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].TryGetValue(name, out object? value))
            {
                return value;
            }
        }

        if (_globals.TryGetValue(name, out object? global))
        {
            return global;
        }

        return JinjaGlobals.TryGet(name, out object? builtin) ? builtin : new Undefined($"'{name}' is undefined");
    }

    /// <summary>Evaluates an expression to a value.</summary>
    public object? Evaluate(Expr expr)
    {
        switch (expr)
        {
            case LiteralExpr literal:
                return literal.Value;
            case NameExpr name:
                return Lookup(name.Name);
            case ListExpr list:
                return list.Items.Select(Evaluate).ToList();
            case TupleExpr tuple:
                return tuple.Items.Select(Evaluate).ToArray();
            case DictExpr dict:
                OrderedDictionary<object, object?> result = PythonSemantics.NewDict();
                foreach ((Expr key, Expr value) in dict.Entries)
                {
                    object? k = Evaluate(key) ?? throw new ChatTemplateRenderException("a dict key cannot be none", key.Position);
                    result[k] = Evaluate(value);
                }

                return result;
            case AttributeExpr attribute:
                return JinjaMembers.GetAttribute(Evaluate(attribute.Target), attribute.Name, attribute.Position);
            case ItemExpr item:
                return JinjaMembers.GetItem(Evaluate(item.Target), Evaluate(item.Key), item.Position);
            case SliceExpr slice:
                return JinjaMembers.Slice(Evaluate(slice.Target), EvaluateOptional(slice.Start), EvaluateOptional(slice.Stop),
                    EvaluateOptional(slice.Step), slice.Position);
            case CallExpr call:
                return EvaluateCall(call);
            case FilterExpr filter:
                object? input = Evaluate(filter.Value);
                return JinjaFilters.Apply(this, filter.Name, input, EvaluateArguments(filter.Name, filter.Arguments, filter.Position));
            case TestExpr test:
                bool passed = JinjaTests.Apply(test.Name, Evaluate(test.Value), EvaluateArguments(test.Name, test.Arguments, test.Position));
                return passed != test.Negated;
            case UnaryExpr unary:
                return EvaluateUnary(unary);
            case BinaryExpr binary:
                return EvaluateBinary(binary);
            case CompareExpr compare:
                return EvaluateCompare(compare);
            case ConditionalExpr conditional:
                return PythonSemantics.IsTruthy(Evaluate(conditional.Condition))
                    ? Evaluate(conditional.Then)
                    : conditional.Else is null ? new Undefined("conditional expression had no else branch") : Evaluate(conditional.Else);
            default:
                throw new ChatTemplateRenderException($"unsupported expression {expr.GetType().Name}", expr.Position);
        }
    }

    private object? EvaluateOptional(Expr? expr) => expr is null ? null : Evaluate(expr);

    private CallArguments EvaluateArguments(string callee, Arguments arguments, SourcePosition position) => new(
        callee,
        arguments.Positional.Select(Evaluate).ToList(),
        arguments.Keywords.Select(k => (k.Name, Evaluate(k.Value))).ToList(),
        position);

    private object? EvaluateCall(CallExpr call)
    {
        object? callee = Evaluate(call.Callee);
        string name = call.Callee switch
        {
            NameExpr n => n.Name,
            AttributeExpr a => a.Name,
            _ => "function",
        };

        if (callee is Undefined undefined)
        {
            throw new ChatTemplateRenderException($"cannot call {name}(): {undefined.Description}", call.Position);
        }

        if (callee is not IJinjaCallable function)
        {
            throw new ChatTemplateRenderException($"'{PythonSemantics.TypeName(callee)}' object is not callable", call.Position);
        }

        return function.Invoke(this, EvaluateArguments(name, call.Arguments, call.Position));
    }

    private object? EvaluateUnary(UnaryExpr unary)
    {
        object? operand = Evaluate(unary.Operand);
        return unary.Operator switch
        {
            "not" => !PythonSemantics.IsTruthy(operand),
            "-" => operand switch
            {
                long l => (object?)-l,
                double d => -d,
                bool b => b ? -1L : 0L,
                _ => throw new ChatTemplateRenderException($"bad operand type for unary -: {PythonSemantics.TypeName(operand)}", unary.Position),
            },
            _ => PythonSemantics.IsNumber(operand)
                ? operand
                : throw new ChatTemplateRenderException($"bad operand type for unary +: {PythonSemantics.TypeName(operand)}", unary.Position),
        };
    }

    private object? EvaluateBinary(BinaryExpr binary)
    {
        switch (binary.Operator)
        {
            case "and":
                object? left = Evaluate(binary.Left);
                return PythonSemantics.IsTruthy(left) ? Evaluate(binary.Right) : left;
            case "or":
                object? first = Evaluate(binary.Left);
                return PythonSemantics.IsTruthy(first) ? first : Evaluate(binary.Right);
            case "~":
                return PythonSemantics.ToStr(Evaluate(binary.Left)) + PythonSemantics.ToStr(Evaluate(binary.Right));
            default:
                return PythonSemantics.Arithmetic(binary.Operator, Evaluate(binary.Left), Evaluate(binary.Right), binary.Position);
        }
    }

    private bool EvaluateCompare(CompareExpr compare)
    {
        object? left = Evaluate(compare.First);
        foreach ((string op, Expr operandExpr) in compare.Rest)
        {
            object? right = Evaluate(operandExpr);
            bool holds = op switch
            {
                "==" => PythonSemantics.Equals(left, right),
                "!=" => !PythonSemantics.Equals(left, right),
                "in" => PythonSemantics.Contains(right, left, compare.Position),
                "not in" => !PythonSemantics.Contains(right, left, compare.Position),
                "<" => PythonSemantics.Compare(left, right, compare.Position) < 0,
                "<=" => PythonSemantics.Compare(left, right, compare.Position) <= 0,
                ">" => PythonSemantics.Compare(left, right, compare.Position) > 0,
                _ => PythonSemantics.Compare(left, right, compare.Position) >= 0,
            };

            if (!holds)
            {
                return false;
            }

            left = right;
        }

        return true;
    }
}
