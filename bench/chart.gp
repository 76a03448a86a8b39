# bench/chart.gp — the chart of scripts/bench.  Called as
#   gnuplot -e "dir='WORK'; out='x.png'; title='...'; nslow=N; nexit=M" chart.gp
# with WORK/slowdown.dat (workload, one × plain column per tool) and
# WORK/exit.dat (check, one seconds column per tool); '?' = not measured.
set terminal pngcairo size 1400,560 font "DejaVu Sans,10"
set output out
set datafile missing "?"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left font ",9" box opaque
set grid ytics mytics lc rgb "#dddddd"
set logscale y
set multiplot layout 1,2 title "libleaktrace vs peers — ".title font ",12"
set label 9 "A missing bar: the tool crashed or hung there (see the table)." at screen 0.01, screen 0.025 font ",8" tc rgb "#555555"
set bmargin 4

set size 0.64,0.92
set origin 0,0
set title "Run time relative to the plain program (log scale; lower is better)"
set ylabel "× plain"
set yrange [0.8:*]
set xtics font ",9"
set arrow 1 from graph 0, first 3 to graph 1, first 3 nohead dt 2 lc rgb "#cc0000" front
set label 1 "storm target 3×" at graph 0.99, first 3.3 right tc rgb "#cc0000" font ",8" front
set arrow 2 from graph 0, first 1.5 to graph 1, first 1.5 nohead dt 3 lc rgb "#0066cc" front
set label 2 "real-workload target 1.5×" at graph 0.99, first 1.38 right tc rgb "#0066cc" font ",8" front
plot for [i=2:nslow+1] dir.'/slowdown.dat' using i:xtic(1) title columnheader(i) lc i-1
unset arrow 1; unset label 1; unset arrow 2; unset label 2

set size 0.36,0.92
set origin 0.64,0
set title "Exit check: time it adds (log scale)"
set ylabel "seconds"
set yrange [0.001:*]
set key top right
set arrow 3 from graph 0, first 2 to graph 1, first 2 nohead dt 2 lc rgb "#cc0000" front
set label 3 "report target 2 s" at graph 0.01, first 2.3 left tc rgb "#cc0000" font ",8" front
plot for [i=2:nexit+1] dir.'/exit.dat' using i:xtic(1) title columnheader(i) lc (i==2 ? 1 : (i==3 ? 2 : 5))
unset multiplot
