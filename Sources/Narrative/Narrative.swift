import Plotting
