"""The committed generated modules are exactly what grpcio-tools makes of proto/ today: a .proto changed
without regenerating (`python -m integrations.grpc.codegen`), or a hand edit of a generated file, fails here."""

from __future__ import annotations

from integrations.grpc import codegen


def files_under(folder) -> dict[str, str]:
    return {str(path.relative_to(folder)): path.read_text() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.suffix in {".py", ".pyi"}}


def test_regenerating_the_modules_from_the_protos_changes_nothing(tmp_path):
    codegen.generate(tmp_path)

    fresh, committed = files_under(tmp_path), files_under(codegen.OUT_DIR)
    assert sorted(fresh) == sorted(committed)
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert not changed, f"regenerate with `python -m integrations.grpc.codegen`: {changed}"


def test_both_protos_are_generated_with_their_stubs():
    assert {path.relative_to(codegen.PROTO_DIR).as_posix() for path in codegen.proto_files()} == {
        "bronivik/availability/v1/availability.proto", "clinic/booking/v1/availability.proto"}
    modules = files_under(codegen.OUT_DIR)
    for package in ("bronivik/availability/v1", "clinic/booking/v1"):
        assert {f"{package}/availability_pb2.py", f"{package}/availability_pb2_grpc.py"} <= set(modules)
    assert "from integrations.grpc.generated.clinic.booking.v1 import availability_pb2" in modules[
        "clinic/booking/v1/availability_pb2_grpc.py"]
