package io.registryauth.realm.policy;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationListener;
import dev.cel.runtime.CelRuntime;
import java.util.Map;
import java.util.Optional;

/**
 * A WORKLOAD subject's optional CEL condition, for what exact claims and globs cannot say (for example
 * {@code claims.ref_protected == 'true' && claims.event_name != 'pull_request'}). The expression sees one
 * variable, {@code claims}: a map from claim name to the token's string, number or boolean value. It must
 * be boolean; standard functions and macros only.
 *
 * <p>Compiled once when the policy compiles. Each evaluation is bounded: at most {@value #MAX_STEPS}
 * evaluated sub-expressions (counted by an evaluation listener, which aborts past the limit), at most
 * {@value #MAX_ITERATIONS} iterations per comprehension, an expression of at most {@value #MAX_CHARS}
 * characters, over claims the admitting source already bounded. An evaluation error (a missing claim, a
 * type mismatch, the limit) counts as false: the subject does not match.
 */
final class WorkloadCondition {
    static final int MAX_CHARS = 2048;
    static final int MAX_STEPS = 2000;
    static final int MAX_ITERATIONS = 64;

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setOptions(CelOptions.current().comprehensionMaxIterations(MAX_ITERATIONS).build())
            .addVar("claims", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .setResultType(SimpleType.BOOL)
            .build();

    private final String source;
    private final CelRuntime.Program program;

    private WorkloadCondition(String source, CelRuntime.Program program) {
        this.source = source;
        this.program = program;
    }

    /** Why {@code expression} is not a usable condition; empty when it compiles to a boolean. */
    static Optional<String> problem(String expression) {
        if (expression.length() > MAX_CHARS) {
            return Optional.of("longer than " + MAX_CHARS + " characters");
        }
        try {
            CelAbstractSyntaxTree ast = CEL.compile(expression).getAst();
            CEL.createProgram(ast);
            return Optional.empty();
        } catch (CelValidationException e) {
            return Optional.of("does not compile: " + firstLine(e.getMessage()));
        } catch (CelEvaluationException | RuntimeException e) {
            return Optional.of("cannot be evaluated: " + firstLine(e.getMessage()));
        }
    }

    /** The compiled condition, or empty when {@link #problem} would name one. */
    static Optional<WorkloadCondition> compile(String expression) {
        if (expression.length() > MAX_CHARS) {
            return Optional.empty();
        }
        try {
            return Optional.of(new WorkloadCondition(expression, CEL.createProgram(CEL.compile(expression).getAst())));
        } catch (CelValidationException | CelEvaluationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the condition holds for these claims; false on any evaluation error or past the step limit. */
    boolean test(Map<String, Object> claims) {
        int[] steps = {0};
        CelEvaluationListener budget = (expr, value) -> {
            if (++steps[0] > MAX_STEPS) {
                throw new StepLimitExceeded();
            }
        };
        try {
            return Boolean.TRUE.equals(program.trace(Map.of("claims", claims), budget));
        } catch (CelEvaluationException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return source;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    /** Thrown from the listener to stop an evaluation that spent its budget; carries no stack. */
    private static final class StepLimitExceeded extends RuntimeException {
        StepLimitExceeded() {
            super("CEL step limit exceeded", null, false, false);
        }
    }
}
