"""Creating a resource from its Args class, `Resource(name, ResourceArgs(...), opts)`, for the type checker's sake.

A generated Pulumi resource class has two constructor overloads: the keyword form, which types each
nested input `Input[XArgs | XArgsDict]`, and (resource_name, args, opts), whose Args class types
them with the Args classes alone. Any call pyright matches against the keyword form makes it build
the whole TypedDict grammar behind that overload's parameters: a WAF rule set's is about 600
classes, a Job's or Deployment's pod spec about 130, each built once per run by whichever call
reaches it first (so every call to such a resource must avoid it). Calling the (name, args, opts)
overload skips it: a whole `pyright` run went from about 57 s to 47 s of user CPU. Both forms
register the same inputs (the plans are byte-identical). tests/test_type_check_cost.py lists the
resources that must be created this way.
"""

from __future__ import annotations

from typing import Callable, TypeVar, cast

import pulumi

_Resource = TypeVar("_Resource", bound=pulumi.Resource)


def from_args(resource: type[_Resource], name: str, args: object, opts: pulumi.ResourceOptions) -> _Resource:
    """`resource(name, args, opts)`, typed as the class's (resource_name, args, opts) overload.

    Still checked: every field of `args` against its Args class (an ordinary constructor call) and
    the resource class returned. Not checked: that `args` is `resource`'s own Args class. Letting
    pyright match the class against that overload would make it weigh the keyword overload first,
    the very cost this avoids; a wrong Args class fails at once at run time instead (the SDK takes it
    for the options), in every test that runs the stack.
    """
    constructor = cast(Callable[[str, object, pulumi.ResourceOptions], _Resource], resource)
    return constructor(name, args, opts)
