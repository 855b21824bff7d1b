# A scratch directory for one run of a fetching script, removed when the script exits. Sourced
# by hack/tools.sh, hack/lua.sh and hack/native-toolchain.sh; each defines say() and LOG first.

# scratch_begin: empties $LOG, sets WORK to a new temporary directory, and on exit removes it;
# a failure then prints the end of $LOG, an interruption says so.
scratch_begin() {
    : >"$LOG"
    WORK=$(mktemp -d)
    trap scratch_on_exit EXIT
    # Without these bash would die of the signal without running the EXIT trap, leaving $WORK.
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

scratch_on_exit() {
    local rc=$?
    rm -rf "$WORK"
    (( rc == 0 )) && return
    if (( rc == 130 || rc == 143 )); then
        say "interrupted"
        return
    fi
    say "failed; details in $LOG, which ends with:"
    tail -n 25 "$LOG" | sed 's/^/    /' >&2
}
