"""jupyter_kernel_test conformance checks for the IMP Lab kernel.

Run by tests/kernel/conformance.test.ts with /usr/bin/python3 and JUPYTER_PATH pointing at a
temporary kernelspec install; every optional check the kernel supports is enabled.
"""
import unittest

import jupyter_kernel_test


class ImpLabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "imp-lab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("to stderr")'

    completion_samples = [
        {"text": "Math.LOG", "matches": ["LOG10E", "LOG2E", "log", "log10", "log1p", "log2"]},
        {"text": "Math.ma", "matches": ["max"]},
    ]

    complete_code_samples = ["1 + 1", "const a = 1;", "function f() { return 1; }", "await Promise.resolve(1)"]
    incomplete_code_samples = ["function f() {", "const x = [1,", "if (true) {"]
    invalid_code_samples = ["1 +* 2", "let a = 1 2", "}"]

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "6*7", "result": "42"},
        {"code": "'a' + 'b'", "result": "'ab'"},
        {"code": "[1, 2].map((x: number) => x * 10)", "result": "[ 10, 20 ]"},
        {"code": "aq.table({ x: [1, 2] })", "mime": "text/html"},
    ]

    code_display_data = [
        {"code": 'display.html("<b>bold</b>")', "mime": "text/html"},
        {"code": 'display.markdown("*md*")', "mime": "text/markdown"},
        {"code": "display.plotly({ data: [{ type: 'scatter', y: [1, 3, 2] }], layout: {} })", "mime": "application/vnd.plotly.v1+json"},
        {"code": "display.table(aq.table({ a: [1, 2, 3] }))", "mime": "text/html"},
    ]

    code_history_pattern = "6*7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"

    code_clear_output = "display.clear()"

    code_page_something = "Math.max?"


if __name__ == "__main__":
    unittest.main()
