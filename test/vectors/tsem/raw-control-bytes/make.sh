#!/bin/bash
# Builds the raw-control-byte vector without the engine: the CELL and coefficient preimages are
# assembled byte by byte from docs/tsem-model.md §2.1-2.4 (the TV-3 file_open layout) with printf,
# and hashed with sha256sum. Run with bash from this folder; it rewrites event.jsonl and expected.txt.
# Check first: with PATHNAME=/usr/bin/bash it prints TV-3's published CELL_ID and coefficient.
set -eu
PATHNAME=${PATHNAME:-$(printf '/tmp/a\001b\033[31mred\033[0m\tc\037d\177e')}
hash() { sha256sum | cut -c1-64; }
# hex -> bytes on stdout (pairs of hex digits)
unhex() { printf "$(echo "$1" | sed 's/../\\&/g; s/\\\(..\)/\\x\1/g')"; }
le32() { printf '%08x' "$1" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/'; }

TASK=8b4453f1259f134be62e96853362c8e11698b01063e91527a26c8c8ecad55cfb
DIGEST=59474588a312b6b6e73e5a42a59bf71e62b55416b6c9d5e4a6e1c630c2a9ecd4
UUID=e896110b42b24dbca89c7caa36961685

# §2.2 COE: eight u32 zero ids, then capeff 0x1ffffffffff as u64 little-endian.
COE_ID=$( { unhex "$(printf '%064d' 0)"; unhex ffffffffff010000; } | hash)

# §2.3 file(f): u32 flags, inode (uid, gid, u32 mode, s_magic, s_id[32], s_uuid), path (dev major,
# minor, str(type), str(pathname)), digest. str(s) = u32le(length) || bytes.
LEN=$(printf '%s' "$PATHNAME" | wc -c)
CELL_ID=$( {
  unhex "$(le32 32800)"
  unhex "$(le32 0)$(le32 0)$(le32 33261)$(le32 61267)"   # uid gid mode=0100755 s_magic=0xef53
  printf 'sda3'; unhex "$(printf '%056d' 0)"             # s_id: "sda3" and 28 zero bytes
  unhex "$UUID"
  unhex "$(le32 8)$(le32 3)"                              # dev major, minor
  unhex "$(le32 4)"; printf 'root'                        # str(type)
  unhex "$(le32 "$LEN")"; printf '%s' "$PATHNAME"         # str(pathname), raw bytes
  unhex "$DIGEST"
} | hash)

# §2.4 coefficient = H("file_open" || p_task_id || task_id || COE_ID || CELL_ID).
COEFF=$( { printf 'file_open'; unhex "$TASK"; unhex "$TASK"; unhex "$COE_ID"; unhex "$CELL_ID"; } | hash)

echo "COE_ID $COE_ID"
echo "CELL_ID $CELL_ID"
echo "coefficient $COEFF"
if [ "$PATHNAME" != "/usr/bin/bash" ]; then
  # The kernel's line: the pathname's bytes raw inside the JSON string (TSEM escapes only '"').
  { printf '{"event": {"context": "1", "number": "3", "process": "quixote", "type": "file_open", "ttd": "1095", "p_ttd": "1095", "task_id": "%s", "p_task_id": "%s", "ts": "1316795"}, ' "$TASK" "$TASK"
    printf '"COE": {"uid": "0", "euid": "0", "suid": "0", "gid": "0", "egid": "0", "sgid": "0", "fsuid": "0", "fsgid": "0", "capeff": "0x1ffffffffff"}, '
    printf '"file_open": {"file": {"flags": "32800", "inode": {"uid": "0", "gid": "0", "mode": "0100755", "s_magic": "0xef53", "s_id": "sda3", "s_uuid": "%s"}, ' "$UUID"
    printf '"path": {"dev": {"major": "8", "minor": "3"}, "type": "root", "pathname": "%s"}, "digest": "%s"}}}\n' "$PATHNAME" "$DIGEST"
  } > event.jsonl
  printf 'COE_ID %s\nCELL_ID %s\ncoefficient %s\n' "$COE_ID" "$CELL_ID" "$COEFF" > expected.txt
fi
